// Figures 3 (cache hit cost), 4 (single flight, 24 simulated hours) and 5 (official SDK without a cache).
import { SimClock } from './lib/simClock.mjs';
import { fromOut, median, requireFromRoot } from './lib/util.mjs';

const { TokenManager } = fromOut('src/core/tokens/manager');
const { Redactor } = fromOut('src/core/redact');
const { endpointsWithDefaults, fetchAccessToken } = fromOut('src/core/dingtalk/client');
const { DingTalkEmulator, SANDBOX_APPS } = fromOut('test/emulator/emulator');
const [APP] = SANDBOX_APPS;
const secrets = new Map(SANDBOX_APPS.map((app) => [app.appKey, app]));

function managerFor(emulator, options = {}) {
  const endpoints = endpointsWithDefaults({ apiBaseUrl: emulator.apiBaseUrl, legacyApiBaseUrl: emulator.legacyApiBaseUrl });
  return new TokenManager({ fetcher: (appKey) => fetchAccessToken(endpoints, secrets.get(appKey)), autoRefresh: false, redactor: new Redactor(), ...options });
}

/** Figure 3: getToken on a warm cache, against the least a cache can do (an async Map lookup with an expiry check). */
export async function cacheHit({ runs, iterations = 1_000_000 }) {
  const emulator = await DingTalkEmulator.start();
  const tokens = managerFor(emulator);
  await tokens.getToken(APP.appKey);
  const map = new Map([[APP.appKey, { ...tokens.peek(APP.appKey) }]]);
  const naive = async (appKey) => {
    const token = map.get(appKey);
    if (token && Date.now() < token.expiresAt) return token;
    throw new Error('cold');
  };
  const loop = async (get) => {
    let sink = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink += (await get(APP.appKey)).expiresAt & 1;
    const ns = Number(process.hrtime.bigint() - start) / iterations;
    if (sink < 0) throw new Error('unreachable');
    return ns;
  };
  await loop((key) => tokens.getToken(key));
  await loop(naive);
  const ours = [];
  const floor = [];
  const ratios = [];
  for (let run = 0; run < runs; run++) {
    const a = await loop((key) => tokens.getToken(key));
    const b = await loop(naive);
    ours.push(a);
    floor.push(b);
    ratios.push(a / b);
  }
  const fetches = emulator.stats(APP.appKey).tokenRequests;
  tokens.dispose();
  await emulator.close();
  return { oursNs: median(ours), floorNs: median(floor), ratio: median(ratios), iterations, runs: { ours, floor, ratios }, fetches };
}

/** Figure 4a: callers that all find the cache cold at once share one upstream request. */
export async function concurrentCold({ runs, callers = 1000, latencyMs = 25 }) {
  const emulator = await DingTalkEmulator.start({ latencyMs });
  const upstream = [];
  const elapsed = [];
  const distinct = [];
  const failures = [];
  for (let run = 0; run < runs; run++) {
    emulator.resetStats();
    emulator.revokeTokens();
    const tokens = managerFor(emulator);
    const start = performance.now();
    const results = await Promise.allSettled(Array.from({ length: callers }, () => tokens.getToken(APP.appKey)));
    elapsed.push(performance.now() - start);
    upstream.push(emulator.stats(APP.appKey).tokenRequests);
    failures.push(results.filter((result) => result.status === 'rejected').length);
    distinct.push(new Set(results.filter((result) => result.status === 'fulfilled').map((result) => result.value.accessToken)).size);
    tokens.dispose();
  }
  await emulator.close();
  return {
    callers,
    latencyMs,
    upstream: median(upstream),
    elapsedMs: median(elapsed),
    failures: Math.max(...failures),
    distinctTokens: Math.max(...distinct),
    runs: { upstream, elapsed },
  };
}

/**
 * Figure 4b: 24 simulated hours, two apps, auto-refresh on, a caller asking every simulated minute; the
 * emulator shares the simulated clock, so DingTalk's 7200 s validity and our refresh margin line up.
 */
export async function dayOfAutoRefresh({ hours = 24, callEverySeconds = 60 } = {}) {
  const clock = new SimClock();
  const emulator = await DingTalkEmulator.start({ now: () => clock.now() });
  const endpoints = endpointsWithDefaults({ apiBaseUrl: emulator.apiBaseUrl, legacyApiBaseUrl: emulator.legacyApiBaseUrl });
  const inflight = new Set();
  const tokens = new TokenManager({
    clock,
    autoRefresh: true,
    redactor: new Redactor(),
    fetcher: (appKey) => {
      const fetch = fetchAccessToken(endpoints, secrets.get(appKey));
      inflight.add(fetch);
      fetch.finally(() => inflight.delete(fetch)).catch(() => undefined);
      return fetch;
    },
  });
  const idle = async () => {
    for (let i = 0; i < 100; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (inflight.size === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        if (inflight.size === 0) return;
      }
      await Promise.allSettled([...inflight]);
    }
  };
  const start = clock.now();
  const apps = SANDBOX_APPS.map((app) => app.appKey);
  let calls = 0;
  let waited = 0;
  let failed = 0;
  let expiredServed = 0;
  for (let t = 0; t <= hours * 3600; t += callEverySeconds) {
    await clock.runUntil(start + t * 1000, idle);
    for (const appKey of apps) {
      calls++;
      try {
        const result = await tokens.getToken(appKey);
        if (result.source === 'network') waited++;
        if (result.expiresAt <= clock.now()) expiredServed++;
      } catch {
        failed++;
      }
      await idle();
    }
  }
  const perApp = Object.fromEntries(apps.map((appKey) => [appKey, emulator.stats(appKey).tokenRequests]));
  tokens.dispose();
  await emulator.close();
  return { hours, callEverySeconds, perApp, maxPerApp: Math.max(...Object.values(perApp)), calls, waited, failed, expiredServed };
}

/**
 * Figure 5: the official DingTalk SDK (@alicloud/dingtalk oauth2_1_0) called as its documentation shows,
 * without a cache, versus our cached path, over the same emulator with an added round trip.
 */
export async function officialSdk({ runs, calls = 100, latencyMs = 25 }) {
  const oauth2 = requireFromRoot('@alicloud/dingtalk/oauth2_1_0');
  const $OpenApi = requireFromRoot('@alicloud/openapi-client');
  const emulator = await DingTalkEmulator.start({ latencyMs });
  const config = new $OpenApi.Config({});
  config.protocol = 'http';
  config.regionId = 'central';
  config.endpoint = new URL(emulator.apiBaseUrl).host;
  const client = new oauth2.default(config);
  const sdkGet = async () => {
    const response = await client.getAccessToken(new oauth2.GetAccessTokenRequest({ appKey: APP.appKey, appSecret: APP.appSecret }));
    if (!response.body?.accessToken) throw new Error('the SDK returned no token');
    return response.body.accessToken;
  };
  const sample = async (fn) => {
    emulator.resetStats();
    const start = performance.now();
    for (let i = 0; i < calls; i++) await fn();
    return { perCallMs: (performance.now() - start) / calls, upstream: emulator.stats(APP.appKey).tokenRequests };
  };
  // Warm both HTTP stacks (connection pools, JIT) once, outside the measurement.
  await sdkGet();
  const warm = managerFor(emulator);
  await warm.getToken(APP.appKey);
  warm.dispose();

  const rows = { sdk: [], ours: [], ratio: [], sdkUpstream: [], oursUpstream: [] };
  for (let run = 0; run < runs; run++) {
    emulator.revokeTokens();
    const sdk = await sample(sdkGet);
    emulator.revokeTokens();
    const tokens = managerFor(emulator); // cold: its first call pays the round trip, as a freshly started process would
    const ours = await sample(async () => (await tokens.getToken(APP.appKey)).accessToken);
    tokens.dispose();
    rows.sdk.push(sdk.perCallMs);
    rows.ours.push(ours.perCallMs);
    rows.ratio.push(ours.perCallMs / sdk.perCallMs);
    rows.sdkUpstream.push(sdk.upstream);
    rows.oursUpstream.push(ours.upstream);
  }

  // The uncached fetch itself, without added latency: our client (Node's fetch) against the SDK's HTTP stack.
  emulator.setLatency(0);
  const fetchRows = { sdk: [], ours: [], ratio: [] };
  const endpoints = endpointsWithDefaults({ apiBaseUrl: emulator.apiBaseUrl, legacyApiBaseUrl: emulator.legacyApiBaseUrl });
  const oursFetch = () => fetchAccessToken(endpoints, APP);
  for (let i = 0; i < 50; i++) {
    await sdkGet();
    await oursFetch();
  }
  for (let run = 0; run < runs; run++) {
    const sdk = await sample(sdkGet);
    const ours = await sample(oursFetch);
    fetchRows.sdk.push(sdk.perCallMs);
    fetchRows.ours.push(ours.perCallMs);
    fetchRows.ratio.push(ours.perCallMs / sdk.perCallMs);
  }
  await emulator.close();
  return {
    calls,
    latencyMs,
    sdkMs: median(rows.sdk),
    oursMs: median(rows.ours),
    ratio: median(rows.ratio),
    sdkUpstream: median(rows.sdkUpstream),
    oursUpstream: median(rows.oursUpstream),
    fetch: { sdkMs: median(fetchRows.sdk), oursMs: median(fetchRows.ours), ratio: median(fetchRows.ratio) },
    runs: { rows, fetchRows },
  };
}
