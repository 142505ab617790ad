/**
 * A small, faithful emulator of DingTalk's token endpoints and a few protected APIs, with fault knobs.
 *
 * Two listeners, like DingTalk's two hosts:
 * - api (api.dingtalk.com style): `POST /v1.0/oauth2/accessToken`, APIs taking `x-acs-dingtalk-access-token`,
 *   and the control API under `/__emulator/` (never faulted, delayed or counted).
 * - legacy (oapi.dingtalk.com style): `GET /gettoken`, APIs taking `?access_token=`; errors are HTTP 200
 *   with `errcode` ≠ 0.
 * Both share one token store: an app's token is the same whichever endpoint issued it.
 *
 * Legacy gettoken errcodes: unknown or missing appkey → 40089; known appkey with a wrong or missing
 * appsecret → 40096. Legacy APIs: missing, unknown or revoked token → 40014; expired token → 42001; topapi
 * paths wrap these as errcode 88 with sub_code "40014" / "42001", and answer an unknown method with errcode 22.
 * A custom robot webhook (`POST /robot/send`) takes the robot's own token, not an app's: see robots.ts.
 *
 * Faults: one active fault at a time; `setFault` replaces it (null clears it). It applies to requests
 * whose kind matches `target` ('token' by default) and clears itself after `times` requests. Besides transport
 * trouble (500, 429, resets, slow or broken answers, ban pages) they speak DingTalk's refusals: an invalid token
 * (400/401, or topapi's 88 + sub_code), QPS limits, a used-up quota, an IP outside the whitelist and a missing
 * permission, each shaped as the DingTalk document cited beside it.
 *
 * Quiet: it logs nothing, so it never logs a secret.
 */
import * as http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { RobotDesk, type EmulatorRobot } from './robots';

export interface EmulatorApp {
  appKey: string;
  appSecret: string;
  label?: string;
}

/** Sandbox credentials, printed by main.ts on purpose: they unlock nothing but this emulator. */
export const SANDBOX_APPS: [EmulatorApp, EmulatorApp] = [
  { appKey: 'dingsandbox0001', appSecret: 'sandbox-secret-0001', label: 'Sandbox' },
  { appKey: 'dingsandbox0002', appSecret: 'sandbox-secret-0002', label: 'Sandbox Two' },
];

export type FaultKind =
  | 'server500'
  | 'rateLimit429'
  | 'qpsLimitApp'
  | 'qpsLimitApi'
  | 'ipBan'
  | 'htmlError'
  | 'malformed'
  | 'reset'
  | 'slow'
  | 'invalidToken'
  | 'quotaExceeded'
  | 'ipNotWhitelisted'
  | 'permissionDenied';

export const FAULT_KINDS: readonly FaultKind[] = [
  'server500',
  'rateLimit429',
  'qpsLimitApp',
  'qpsLimitApi',
  'ipBan',
  'htmlError',
  'malformed',
  'reset',
  'slow',
  'invalidToken',
  'quotaExceeded',
  'ipNotWhitelisted',
  'permissionDenied',
];

export { SANDBOX_ROBOT_TOKEN, SANDBOX_SIGNED_ROBOT, type EmulatorRobot, type RobotDelivery } from './robots';
/** The address the gateway reports for IpNotInWhiteList answers. */
export const EMULATOR_CLIENT_IP = '203.0.113.7';
/** The scope permissionDenied answers say is missing. */
export const EMULATOR_MISSING_SCOPE = 'qyapi_get_member';

export interface Fault {
  kind: FaultKind;
  /** Requests affected; until cleared when omitted. */
  times?: number;
  /** Which requests: token endpoints (default), protected APIs, or all. */
  target?: 'token' | 'api' | 'all';
  /** rateLimit429: the Retry-After header, default 1. */
  retryAfterSeconds?: number;
  /** slow: extra delay before the normal answer, default 2000. */
  delayMs?: number;
  /**
   * ipBan and htmlError: the HTTP status (default 403 and 502). Gateways answer a ban with 200 or 403, and a
   * firewall block page comes as 405 HTML. invalidToken on new APIs: 401 (default) or 400, both of which DingTalk sends.
   */
  status?: number;
  /**
   * server500, htmlError, reset and slow: DingTalk does the work first (a message is delivered), then the answer
   * is lost or replaced on the way back, as when its gateway times out on a backend that already acted.
   */
  afterProcessing?: boolean;
  /** ipNotWhitelisted, qpsLimitApp and server500: DingTalk's own words (message / errmsg) in place of the usual text. */
  message?: string;
}

/** Faults that can strike after DingTalk has processed the request. */
const AFTER_PROCESSING_KINDS: readonly FaultKind[] = ['server500', 'htmlError', 'reset', 'slow'];

export interface EmulatorStats {
  tokenRequests: number;
  tokenIssued: number;
  apiRequests: number;
  apiUnauthorized: number;
  faultsServed: number;
}

export interface EmulatorOptions {
  apps?: EmulatorApp[];
  host?: string;
  port?: number;
  legacyPort?: number;
  ttlSeconds?: number;
  latencyMs?: number;
  now?: () => number;
}

interface TokenRecord {
  token: string;
  appKey: string;
  expiresAt: number;
  revoked: boolean;
}

type Style = 'new' | 'legacy';
type TokenCheck = { ok: true; appKey: string } | { ok: false; expired: boolean };

const DEFAULT_TTL_SECONDS = 7200;
const DEFAULT_RETRY_AFTER_SECONDS = 1;
const DEFAULT_SLOW_MS = 2000;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_LARGE_BYTES = 64 * 1024 * 1024;
/** Old tokens are remembered (to tell "expired" from "unknown") up to this many; live ones always. */
const MAX_REMEMBERED_TOKENS = 10_000;
const NEW_JSON = 'application/json;charset=utf-8';
const LEGACY_JSON = 'application/json;charset=UTF-8';

const emptyStats = (): EmulatorStats => ({ tokenRequests: 0, tokenIssued: 0, apiRequests: 0, apiUnauthorized: 0, faultsServed: 0 });

export class DingTalkEmulator {
  private readonly apps = new Map<string, EmulatorApp>();
  private readonly current = new Map<string, TokenRecord>(); // appKey → its live token
  private readonly tokens = new Map<string, TokenRecord>(); // token → record, oldest first
  private readonly totals = emptyStats();
  private readonly perApp = new Map<string, EmulatorStats>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly servers: [api: http.Server, legacy: http.Server];
  private readonly now: () => number;
  private urls = { api: '', legacy: '' };
  private fault: Fault | null = null;
  private faultLeft = Infinity;
  private ttlSeconds = DEFAULT_TTL_SECONDS;
  private latencyMs = 0;
  private nextTaskId = 100_000_000_001;
  private messagesDelivered = 0;
  /** The group robots behind `/robot/send`, with what reached their groups. */
  readonly robots: RobotDesk;

  private constructor(opts: EmulatorOptions) {
    this.now = opts.now ?? Date.now;
    this.robots = new RobotDesk(this.now);
    if (opts.ttlSeconds !== undefined) this.setTtl(opts.ttlSeconds);
    if (opts.latencyMs !== undefined) this.setLatency(opts.latencyMs);
    for (const app of opts.apps ?? SANDBOX_APPS) this.addApp(app);
    this.servers = [http.createServer((req, res) => void this.handle('new', req, res)), http.createServer((req, res) => void this.handle('legacy', req, res))];
  }

  static async start(opts: EmulatorOptions = {}): Promise<DingTalkEmulator> {
    const emulator = new DingTalkEmulator(opts);
    const host = opts.host ?? '127.0.0.1';
    const base = (port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    try {
      const [api, legacy] = emulator.servers;
      emulator.urls = {
        api: base(await listen(api, opts.port ?? 0, host)),
        legacy: base(await listen(legacy, opts.legacyPort ?? 0, host)),
      };
    } catch (error) {
      await emulator.close();
      throw error;
    }
    return emulator;
  }

  /** The new-style API host (api.dingtalk.com), also serving the control API under /__emulator/. */
  get apiBaseUrl(): string {
    return this.urls.api;
  }

  /** The legacy host (oapi.dingtalk.com): a listener of its own, like the real separate host. */
  get legacyApiBaseUrl(): string {
    return this.urls.legacy;
  }

  addApp(app: EmulatorApp): void {
    if (!app || typeof app.appKey !== 'string' || !app.appKey || typeof app.appSecret !== 'string' || !app.appSecret) {
      throw new TypeError('an app needs a non-empty appKey and appSecret');
    }
    this.apps.set(app.appKey, { ...app });
  }

  setFault(fault: Fault | null): void {
    if (fault !== null) validateFault(fault);
    this.fault = fault && { ...fault };
    this.faultLeft = fault?.times ?? Infinity;
  }

  /** Applies to tokens issued or renewed from now on. */
  setTtl(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds <= 0) throw new TypeError('ttl must be a positive number of seconds');
    this.ttlSeconds = seconds;
  }

  /** Delay added to every DingTalk answer (not to the control API), like a round trip to the real servers. */
  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError('latency must be a non-negative number of milliseconds');
    this.latencyMs = ms;
  }

  revokeTokens(appKey?: string): void {
    for (const [key, record] of this.current) {
      if (appKey !== undefined && key !== appKey) continue;
      record.revoked = true;
      this.current.delete(key);
    }
  }

  /** The app's live token, for tests that check a token never leaks anywhere. */
  currentToken(appKey: string): string | undefined {
    return this.current.get(appKey)?.token;
  }

  /** Seconds the app's live token has left, unrounded, for tests that compare it with a countdown on screen. */
  secondsLeft(appKey: string): number | undefined {
    const record = this.current.get(appKey);
    return record && Math.max(0, (record.expiresAt - this.now()) / 1000);
  }

  stats(appKey?: string): EmulatorStats {
    return { ...(appKey === undefined ? this.totals : (this.perApp.get(appKey) ?? emptyStats())) };
  }

  /** Messages DingTalk acted on: robot webhook sends, work notices, robot 1:1 messages (each call counts once). */
  deliveries(): number {
    return this.messagesDelivered;
  }

  resetStats(): void {
    this.messagesDelivered = 0;
    Object.assign(this.totals, emptyStats());
    this.perApp.clear();
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.servers.map(closeServer));
  }

  // ---- tokens ----

  /** Returns the app's live token renewed to a full TTL, or a new one when there is none. */
  private issueToken(appKey: string): TokenRecord {
    const now = this.now();
    const expiresAt = now + this.ttlSeconds * 1000;
    const live = this.current.get(appKey);
    if (live && live.expiresAt > now) {
      live.expiresAt = expiresAt;
      return live;
    }
    let token: string;
    do token = randomBytes(16).toString('hex');
    while (this.tokens.has(token)); // never shared
    const record: TokenRecord = { token, appKey, expiresAt, revoked: false };
    this.current.set(appKey, record);
    this.tokens.set(token, record);
    this.count('tokenIssued', appKey);
    this.forgetOldTokens();
    return record;
  }

  private forgetOldTokens(): void {
    if (this.tokens.size <= MAX_REMEMBERED_TOKENS) return;
    for (const [token, record] of this.tokens) {
      if (this.tokens.size <= MAX_REMEMBERED_TOKENS) break;
      if (this.current.get(record.appKey) !== record) this.tokens.delete(token);
    }
  }

  private checkToken(token: string | null | undefined): TokenCheck {
    const record = token ? this.tokens.get(token) : undefined;
    if (!record || record.revoked) return { ok: false, expired: false };
    if (record.expiresAt <= this.now()) return { ok: false, expired: true };
    return { ok: true, appKey: record.appKey };
  }

  private expiresIn(record: TokenRecord): number {
    return Math.max(0, Math.round((record.expiresAt - this.now()) / 1000));
  }

  // ---- stats and faults ----

  private count(field: keyof EmulatorStats, appKey?: string): void {
    this.totals[field]++;
    if (appKey === undefined || !this.apps.has(appKey)) return; // per-app stats only for known apps
    let stats = this.perApp.get(appKey);
    if (!stats) this.perApp.set(appKey, (stats = emptyStats()));
    stats[field]++;
  }

  /** The fault for this request, if any; counts it down at arrival so `times` follows request order. */
  private takeFault(kind: 'token' | 'api'): Fault | undefined {
    const fault = this.fault;
    if (!fault) return undefined;
    const target = fault.target ?? 'token';
    if (target !== 'all' && target !== kind) return undefined;
    if (--this.faultLeft <= 0) this.setFault(null);
    return fault;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  // ---- HTTP ----

  private async handle(style: Style, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    res.setHeader('x-acs-request-id', requestId);
    try {
      const url = new URL(req.url ?? '/', 'http://emulator');
      const raw = await readBody(req);
      if (raw === undefined) {
        return send(res, 413, { code: 'RequestTooLarge', message: 'request body too large', requestid: requestId });
      }
      if (style === 'new' && url.pathname.startsWith('/__emulator/')) return this.control(req.method ?? 'GET', url, raw, res);

      const isToken = style === 'new' ? url.pathname === '/v1.0/oauth2/accessToken' : url.pathname === '/gettoken';
      const token = style === 'new' ? header(req, 'x-acs-dingtalk-access-token') : url.searchParams.get('access_token');
      const appKey = isToken
        ? style === 'new'
          ? stringField(parseJson(raw), 'appKey')
          : (url.searchParams.get('appkey') ?? undefined)
        : token
          ? this.tokens.get(token)?.appKey
          : undefined;
      this.count(isToken ? 'tokenRequests' : 'apiRequests', appKey);
      const fault = this.takeFault(isToken ? 'token' : 'api');
      if (fault) this.count('faultsServed', appKey);

      const route = (into: http.ServerResponse) =>
        style === 'new'
          ? this.routeNew(req.method ?? 'GET', url, raw, token, into, requestId)
          : this.routeLegacy(req.method ?? 'GET', url, raw, token, into, requestId);
      const slowMs = fault?.kind === 'slow' ? (fault.delayMs ?? DEFAULT_SLOW_MS) : 0;
      if (fault?.afterProcessing) {
        await this.sleep(this.latencyMs);
        const done = recordedAnswer();
        route(done.res);
        if (fault.kind !== 'slow') return serveFault(fault, style, url, req, res, requestId, appKey);
        await this.sleep(slowMs);
        return done.replay(res);
      }
      await this.sleep(this.latencyMs + slowMs);
      if (fault && fault.kind !== 'slow') return serveFault(fault, style, url, req, res, requestId, appKey);
      return route(res);
    } catch (error) {
      if (!res.headersSent && !res.destroyed) {
        send(res, 500, { code: 'InternalError', message: `emulator error: ${(error as Error).message}`, requestid: requestId });
      }
    }
  }

  private routeNew(method: string, url: URL, raw: string, token: string | null | undefined, res: http.ServerResponse, requestid: string): void {
    const path = url.pathname;
    if (path === '/v1.0/oauth2/accessToken' && method === 'POST') {
      const body = parseJson(raw);
      const appKey = stringField(body, 'appKey');
      const appSecret = stringField(body, 'appSecret');
      if (!appKey || !appSecret) {
        return send(res, 400, { code: 'MissingParameter', message: `缺少参数 ${!appKey ? 'appKey' : 'appSecret'}`, requestid });
      }
      if (this.apps.get(appKey)?.appSecret !== appSecret) {
        return send(res, 400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret', requestid });
      }
      const record = this.issueToken(appKey);
      return send(res, 200, { accessToken: record.token, expireIn: this.expiresIn(record) });
    }

    const userMatch = /^\/v1\.0\/contact\/users\/([^/]+)$/.exec(path);
    const known =
      (path === '/v1.0/robot/oToMessages/batchSend' && method === 'POST') ||
      (userMatch !== null && method === 'GET') ||
      path === '/v1.0/emulator/echo' ||
      (path === '/v1.0/emulator/large' && method === 'GET');
    if (!known) {
      return send(res, 404, { code: 'InvalidAction.NotFound', message: 'Specified api is not found, please check your url and method.', requestid });
    }
    const check = this.checkToken(token);
    if (!check.ok) {
      this.count('apiUnauthorized', token ? this.tokens.get(token)?.appKey : undefined);
      return send(res, 401, { code: 'InvalidAuthentication', message: '不合法的access_token', requestid });
    }

    if (userMatch) {
      const user = sampleUser(decodeURIComponent(userMatch[1]!));
      return send(res, 200, {
        nick: user.name,
        unionId: user.unionid,
        openId: `open-${user.userid}`,
        email: user.email,
        mobile: user.mobile,
        stateCode: '86',
        avatarUrl: '',
      });
    }
    if (path === '/v1.0/robot/oToMessages/batchSend') {
      this.messagesDelivered++;
      return send(res, 200, { processQueryKey: randomBytes(24).toString('base64'), invalidStaffIdList: [], flowControlledStaffIdList: [] });
    }
    if (path === '/v1.0/emulator/large') return sendLarge(res, url, '{"data":"', NEW_JSON);
    return send(res, 200, echo(method, url, raw, check.appKey));
  }

  private routeLegacy(method: string, url: URL, raw: string, token: string | null | undefined, res: http.ServerResponse, request_id: string): void {
    const path = url.pathname;
    const answer = (body: Record<string, unknown>) => send(res, 200, { ...body, request_id }, LEGACY_JSON);
    if (path === '/gettoken' && method === 'GET') {
      const appKey = url.searchParams.get('appkey');
      const app = appKey ? this.apps.get(appKey) : undefined;
      if (!app) return answer({ errcode: 40089, errmsg: '不合法的appKey或appSecret' });
      if (url.searchParams.get('appsecret') !== app.appSecret) return answer({ errcode: 40096, errmsg: '不合法的appKey或appSecret' });
      const record = this.issueToken(app.appKey);
      return answer({ errcode: 0, errmsg: 'ok', access_token: record.token, expires_in: this.expiresIn(record) });
    }

    if (path === '/robot/send' && method === 'POST') {
      // A custom group robot's webhook carries the robot's own token; an app token is not one (robots.ts).
      const delivered = this.robots.deliveries().length;
      const reply = this.robots.answer(url, parseJson(raw));
      this.messagesDelivered += this.robots.deliveries().length - delivered;
      return typeof reply.body === 'string' ? send(res, reply.status, reply.body, 'text/html') : answer(reply.body);
    }
    const topapi = path.startsWith('/topapi/');
    const known =
      (path === '/topapi/v2/user/get' && method === 'POST') ||
      (path === '/topapi/message/corpconversation/asyncsend_v2' && method === 'POST') ||
      path === '/emulator/echo' ||
      (path === '/emulator/large' && method === 'GET');
    if (!known && topapi) {
      // topapi answers a method it does not have with errcode 22, HTTP 200, as
      // https://oapi.dingtalk.com/topapi/app/remove_auth does: "Invalid method[submsg=不合法ApiName，ApiName = dingtalk.oapi.app.remove_auth]".
      const apiName = `dingtalk.oapi${path.slice('/topapi'.length).replace(/\//g, '.')}`;
      return answer({ errcode: 22, sub_msg: `不合法ApiName，ApiName = ${apiName}`, errmsg: `Invalid method[submsg=不合法ApiName，ApiName = ${apiName}]` });
    }
    if (!known) return send(res, 404, { errcode: 404, errmsg: '请求的URI地址不存在', request_id }, LEGACY_JSON);
    const check = this.checkToken(token);
    if (!check.ok) {
      this.count('apiUnauthorized', token ? this.tokens.get(token)?.appKey : undefined);
      // topapi wraps the cause in errcode 88 + sub_code (a string); older oapi paths send it at the top level
      // (服务端API错误码, https://open.dingtalk.com/document/orgapp/server-api-error-codes-1).
      const [errcode, errmsg] = check.expired ? [42001, 'access_token超时'] : [40014, '不合法的access_token'];
      return answer(topapi ? subCodeError(String(errcode), errmsg) : { errcode, errmsg });
    }

    if (path === '/topapi/v2/user/get') {
      const userid = stringField(parseLegacyBody(raw), 'userid');
      if (!userid) return answer({ errcode: 40035, errmsg: '缺少参数 userid' });
      return answer({ errcode: 0, errmsg: 'ok', result: sampleUser(userid) });
    }
    if (path === '/topapi/message/corpconversation/asyncsend_v2') {
      this.messagesDelivered++;
      return answer({ errcode: 0, errmsg: 'ok', task_id: this.nextTaskId++ });
    }
    if (path === '/emulator/large') return sendLarge(res, url, `{"errcode":0,"errmsg":"ok","request_id":"${request_id}","data":"`, LEGACY_JSON);
    return answer({ errcode: 0, errmsg: 'ok', ...echo(method, url, raw, check.appKey) });
  }

  /** The control API, so another process (sandbox, e2e) can turn the knobs. */
  private control(method: string, url: URL, raw: string, res: http.ServerResponse): void {
    let body: unknown;
    try {
      body = raw.trim() ? JSON.parse(raw) : null;
    } catch {
      return send(res, 400, { error: 'body is not JSON' });
    }
    const fields = (body ?? {}) as Record<string, unknown>;
    try {
      switch (`${method} ${url.pathname}`) {
        case 'GET /__emulator/stats':
          return send(res, 200, this.stats(url.searchParams.get('appKey') ?? undefined));
        case 'POST /__emulator/fault':
          this.setFault(body as Fault | null);
          break;
        case 'POST /__emulator/revoke':
          this.revokeTokens(typeof fields.appKey === 'string' ? fields.appKey : undefined);
          break;
        case 'POST /__emulator/ttl':
          this.setTtl(fields.seconds as number);
          break;
        case 'POST /__emulator/latency':
          this.setLatency(fields.ms as number);
          break;
        case 'POST /__emulator/reset-stats':
          this.resetStats();
          break;
        case 'POST /__emulator/apps':
          this.addApp(fields as unknown as EmulatorApp);
          break;
        case 'POST /__emulator/robots':
          this.robots.add(fields as unknown as EmulatorRobot);
          break;
        case 'GET /__emulator/robot-deliveries':
          return send(res, 200, { deliveries: this.robots.deliveries(url.searchParams.get('token') ?? undefined) });
        case 'POST /__emulator/robot-500-after-delivery':
          this.robots.answer500AfterDelivery(fields.times as number);
          break;
        default:
          return send(res, 404, { error: `no control endpoint ${method} ${url.pathname}` });
      }
      send(res, 200, { ok: true });
    } catch (error) {
      send(res, 400, { error: (error as Error).message });
    }
  }
}

function validateFault(fault: Fault): void {
  if (typeof fault !== 'object' || !FAULT_KINDS.includes(fault.kind)) {
    throw new TypeError(`fault.kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) throw new TypeError('fault.times must be a positive integer');
  if (fault.target !== undefined && !['token', 'api', 'all'].includes(fault.target)) throw new TypeError('fault.target must be token, api or all');
  if (fault.retryAfterSeconds !== undefined && !(Number.isFinite(fault.retryAfterSeconds) && fault.retryAfterSeconds >= 0)) {
    throw new TypeError('fault.retryAfterSeconds must be a non-negative number');
  }
  if (fault.delayMs !== undefined && !(Number.isFinite(fault.delayMs) && fault.delayMs >= 0))
    throw new TypeError('fault.delayMs must be a non-negative number');
  if (fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599)) {
    throw new TypeError('fault.status must be an HTTP status from 200 to 599');
  }
  if (
    fault.afterProcessing !== undefined &&
    (typeof fault.afterProcessing !== 'boolean' || (fault.afterProcessing && !AFTER_PROCESSING_KINDS.includes(fault.kind)))
  ) {
    throw new TypeError(`fault.afterProcessing applies to ${AFTER_PROCESSING_KINDS.join(', ')}`);
  }
  if (fault.message !== undefined && (typeof fault.message !== 'string' || fault.message.length > 10_000))
    throw new TypeError('fault.message must be a string');
}

/** A stand-in response that keeps the answer a route wrote, to send it later (or never). */
function recordedAnswer(): { res: http.ServerResponse; replay(res: http.ServerResponse): void } {
  let answer: { status: number; headers: http.OutgoingHttpHeaders; data?: unknown } | undefined;
  const recorder = {
    destroyed: false,
    headersSent: false,
    writeHead(status: number, headers: http.OutgoingHttpHeaders) {
      answer = { status, headers };
      return recorder;
    },
    end(data?: unknown) {
      if (answer) answer.data = data;
    },
  };
  return {
    res: recorder as unknown as http.ServerResponse,
    replay: (res) => {
      if (!answer || res.destroyed || res.headersSent) return;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.data as string | Buffer);
    },
  };
}

function serveFault(fault: Fault, style: Style, url: URL, req: http.IncomingMessage, res: http.ServerResponse, requestid: string, appKey?: string): void {
  const legacy = style === 'legacy';
  const topapi = url.pathname.startsWith('/topapi/');
  const legacyAnswer = (body: Record<string, unknown>) => send(res, 200, { ...body, request_id: requestid }, LEGACY_JSON);
  switch (fault.kind) {
    case 'invalidToken':
      // New APIs: {"code":"InvalidAuthentication","message":"不合法的access_token"}, seen with HTTP 400 and 401
      // (https://open.dingtalk.com/document/orgapp/error-code; e.g. satorijs/satori#240 shows the 400 form).
      // topapi: errcode 88 with the real cause in sub_code, a string ("errcode = 88 … 关注 sub_code 和 sub_msg",
      // https://open.dingtalk.com/document/orgapp/server-api-error-codes-1); older oapi paths: top-level 40014.
      if (!legacy) return send(res, fault.status ?? 401, { code: 'InvalidAuthentication', message: '不合法的access_token', requestid });
      return legacyAnswer(topapi ? subCodeError('40014', '不合法的access_token') : { errcode: 40014, errmsg: '不合法的access_token' });
    case 'quotaExceeded':
      // The organisation's monthly API count is used up: Forbidden.AccessDenied.ApiCountLimitForOrg (new) or errcode 90020
      // (legacy) — DingTalk help "API调用量超过限额后，是否会有超额提示" (https://www.dingtalk.com/qidian/help-detail-1061621972.html).
      return legacy
        ? legacyAnswer({ errcode: 90020, errmsg: '您的企业本月api调用量已超过限制,调用量:10001次,额度:10000次,请登录开发者后台-资源管理-查看用量明细' })
        : send(res, 403, {
            code: 'Forbidden.AccessDenied.ApiCountLimitForOrg',
            message: '您的企业本月api调用量已超过限制,调用量:10001次,额度:10000次,请登录开发者后台-资源管理-查看用量明细',
            requestid,
          });
    case 'ipNotWhitelisted': {
      // The caller's IP is not in the app's whitelist: Forbidden.AccessDenied.IpNotInWhiteList (new, HTTP 403) or errcode
      // 60020 (legacy), naming the IP (服务端API错误码, https://open.dingtalk.com/document/orgapp/server-api-error-codes-1).
      const said = fault.message ?? `访问ip不在白名单之中,request ip=${EMULATOR_CLIENT_IP} appKey(${appKey ?? ''})`;
      return legacy
        ? legacyAnswer({ errcode: 60020, errmsg: said })
        : send(res, 403, { code: 'Forbidden.AccessDenied.IpNotInWhiteList', message: said, requestid });
    }
    case 'permissionDenied':
      // The app lacks a permission: new APIs name the scopes in accessdenieddetail.requiredScopes, topapi sends 88 +
      // sub_code 60011 ("接口调用没有权限" best practice,
      // https://open-dingtalk.github.io/developerpedia/docs/develop/best-practices/permission-deny).
      return legacy
        ? legacyAnswer(
            subCodeError(
              '60011',
              `没有调用该接口的权限，接口权限申请参考：https://open.dingtalk.com/document/orgapp-server/add-api-permission，requiredScopes:[${EMULATOR_MISSING_SCOPE}]`,
            ),
          )
        : send(res, 403, {
            code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
            message: '没有调用该接口的权限，接口权限申请参考：https://open.dingtalk.com/document/orgapp-server/add-api-permission',
            accessdenieddetail: { requiredScopes: [EMULATOR_MISSING_SCOPE] },
            requestid,
          });
    case 'server500':
      return legacy
        ? send(res, 200, { errcode: -1, errmsg: fault.message ?? '系统繁忙', request_id: requestid }, LEGACY_JSON)
        : send(res, 500, { code: 'ServiceUnavailable', message: fault.message ?? '服务暂不可用，请稍后重试', requestid });
    case 'rateLimit429': {
      const seconds = fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
      // The gateway throttles both hosts the same way.
      return send(res, 429, { code: 'Throttling', message: '请求过于频繁，请稍后重试', requestid }, NEW_JSON, { 'retry-after': String(seconds) });
    }
    case 'qpsLimitApp':
      return legacy
        ? send(res, 200, { errcode: 90018, errmsg: fault.message ?? '当前应用调用该接口的并发量超过限制', request_id: requestid }, LEGACY_JSON)
        : send(res, 403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: fault.message ?? '当前应用调用该接口的QPS超过限制', requestid });
    case 'qpsLimitApi':
      return legacy
        ? send(res, 200, { errcode: 90002, errmsg: '当前接口调用的QPS超过限制', request_id: requestid }, LEGACY_JSON)
        : send(res, 403, { code: 'Forbidden.AccessDenied.QpsLimitForApi', message: '当前接口调用的QPS超过限制', requestid });
    case 'ipBan':
      return send(res, fault.status ?? 403, '{"status":1111,"wait":5,"punish":"deny"}');
    case 'htmlError': {
      const status = fault.status ?? 502;
      return send(
        res,
        status,
        status >= 500
          ? `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n`
          : `<!DOCTYPE html><html><head><meta charset="utf-8"><title>访问被拒绝</title></head><body><h1>很抱歉，您的访问被拒绝</h1><p>HTTP ${status}</p></body></html>`,
        'text/html',
      );
    }
    case 'malformed':
      // Cut off mid-string, as when a proxy truncates the answer.
      return send(res, 200, legacy ? '{"errcode":0,"errmsg":"ok","access_token":"3f2a' : '{"accessToken":"3f2a', legacy ? LEGACY_JSON : NEW_JSON);
    case 'reset':
      req.socket.destroy();
      return;
    case 'slow':
      return; // handled by the caller: a delay, then the normal answer
  }
}

/** topapi's errcode 88 form: the cause in sub_code (a string) and sub_msg, both repeated in errmsg. */
function subCodeError(subCode: string, subMsg: string): Record<string, unknown> {
  return { errcode: 88, sub_code: subCode, sub_msg: subMsg, errmsg: `ding talk error[subcode=${subCode},submsg=${subMsg}]` };
}

function send(res: http.ServerResponse, status: number, body: unknown, contentType = NEW_JSON, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return; // the client went away or close() ran while we waited
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

/** A JSON body of exactly `bytes` bytes (when larger than its frame), to test clients' size caps. */
function sendLarge(res: http.ServerResponse, url: URL, prefix: string, contentType: string): void {
  const requested = Number(url.searchParams.get('bytes') ?? 1024 * 1024);
  const bytes = Number.isFinite(requested) ? Math.min(Math.max(0, Math.floor(requested)), MAX_LARGE_BYTES) : 0;
  const head = Buffer.from(prefix);
  const tail = Buffer.from('"}');
  send(res, 200, Buffer.concat([head, Buffer.alloc(Math.max(0, bytes - head.length - tail.length), 'x'), tail]), contentType);
}

/** What the echo endpoints return; `access_token` is left out of the query so tokens never echo back. */
function echo(method: string, url: URL, raw: string, appKey: string): Record<string, unknown> {
  const query = Object.fromEntries(url.searchParams);
  delete query.access_token;
  let body: unknown = raw || null;
  try {
    if (raw) body = JSON.parse(raw);
  } catch {
    // not JSON: echo it as text
  }
  return { method, path: url.pathname, query, body, appKey };
}

function sampleUser(userid: string) {
  return {
    userid,
    unionid: `union-${userid}`,
    name: `沙箱用户 ${userid}`,
    title: 'Engineer',
    mobile: '13800000000',
    email: `${userid}@sandbox.example`,
    dept_id_list: [1],
    active: true,
    admin: false,
  };
}

/** The whole body as text, or undefined when it exceeds MAX_BODY_BYTES (read to the end, so we can still answer). */
async function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Legacy (topapi) endpoints take JSON or form-encoded bodies. */
function parseLegacyBody(raw: string): unknown {
  return raw.trimStart().startsWith('{') ? parseJson(raw) : Object.fromEntries(new URLSearchParams(raw));
}

function stringField(value: unknown, name: string): string | undefined {
  const field = value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
  return typeof field === 'string' && field ? field : undefined;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops listening and destroys every socket, idle keep-alive ones included, so close never hangs. */
function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
