import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';
import { FakeClock } from '../support/fakeClock';
import { AuditTrail } from '../../src/core/audit';
import { endpointsWithDefaults, fetchAccessToken } from '../../src/core/dingtalk/client';
import { TokenManager } from '../../src/core/tokens/manager';
import { Redactor } from '../../src/core/redact';
import { unknownToolEntry, type PolicyProblem } from '../../src/core/policy/problems';
import { startExtensionMcpServer, type ExtensionServer } from '../../src/mcp/extensionServer';
import { McpController, type McpHost, type PolicyGoneChoice, type PolicyLocation, type PolicyNotice } from '../../src/extension/mcp/controller';
import { MemoryCounterStore } from '../../src/core/policy';
import { DEFAULT_POLICY_POLL_MS } from '../../src/core/policy/file/watch';

/**
 * The extension's MCP server and its policy file, below the vscode API: a real server and real files in a
 * temp dir; the host stands in for settings, the log and notifications.
 */

const [APP] = SANDBOX_APPS;

interface Harness {
  dir: string;
  policyFile: string;
  controller: McpController;
  host: FakeHost;
  emulator: DingTalkEmulator;
  /** Calls a tool through a fresh MCP client on the running server. */
  call: (name: string, args?: Record<string, unknown>) => Promise<CallToolResult>;
  listTools: () => Promise<string[]>;
}

class FakeHost implements McpHost {
  mcpEnabled = true;
  location: PolicyLocation;
  readonly lines: { level: 'info' | 'warn' | 'error'; line: string }[] = [];
  readonly notices: PolicyNotice[] = [];
  readonly started: (ExtensionServer & { closed?: Promise<void> })[] = [];
  /** Only controller.reload() looks at the file unless a test lets fs events and the poll in. */
  watchOptions: McpHost['watchOptions'] = { watchFolder: () => ({ close: () => undefined }), clock: new FakeClock() };
  private readonly lineWaiters = new Set<() => void>();

  constructor(
    private readonly emulator: DingTalkEmulator,
    private readonly tokens: TokenManager,
    private readonly redactor: Redactor,
    policyFile: string,
  ) {
    this.location = { source: policyFile, path: policyFile };
  }

  enabled = () => this.mcpEnabled;
  policyLocation = () => this.location;
  startServer: McpHost['startServer'] = async ({ source, read }) => {
    const endpoints = endpointsWithDefaults({ apiBaseUrl: this.emulator.apiBaseUrl, legacyApiBaseUrl: this.emulator.legacyApiBaseUrl });
    const server = await startExtensionMcpServer({
      tokens: this.tokens,
      apps: { list: () => [{ appKey: APP.appKey, label: APP.label ?? APP.appKey }], activeAppKey: () => APP.appKey },
      endpoints: () => endpoints,
      audit: new AuditTrail(),
      approver: async () => false,
      counters: new MemoryCounterStore(),
      advice: () => undefined,
      policySource: source,
      policyRead: read,
      log: (line) => this.lines.push({ level: 'info', line }),
      redactor: this.redactor,
      preferTcp: true,
    });
    // Seen by tests: the controller stops servers without waiting for them.
    const tracked: ExtensionServer & { closed?: Promise<void> } = { ...server, close: () => (tracked.closed ??= server.close()) };
    this.started.push(tracked);
    return tracked;
  };
  stoppedLine = 'MCP server stopped: dingtalkToken.mcp.enabled is off.';
  log = {
    info: (line: string) => this.push('info', line),
    warn: (line: string) => this.push('warn', line),
    error: (line: string) => this.push('error', line),
  };

  private push(level: 'info' | 'warn' | 'error', line: string): void {
    this.lines.push({ level, line });
    for (const wake of [...this.lineWaiters]) wake();
  }

  /** Resolves when a line at `level` matching `pattern` has been logged (now or later); fails after `timeoutMs`. */
  waitForLog(level: 'info' | 'warn' | 'error', pattern: RegExp, from = 0, timeoutMs = 5000): Promise<void> {
    const found = () => this.lines.slice(from).some((entry) => entry.level === level && pattern.test(entry.line));
    if (found()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.lineWaiters.delete(wake);
        reject(new Error(`no [${level}] line matching ${pattern} in time; logged: ${JSON.stringify(this.lines.slice(from))}`));
      }, timeoutMs);
      const wake = () => {
        if (!found()) return;
        clearTimeout(timer);
        this.lineWaiters.delete(wake);
        resolve();
      };
      this.lineWaiters.add(wake);
    });
  }
  /** What the person answers when told the policy file is gone. */
  goneChoice: PolicyGoneChoice = 'keep';
  notify = (notice: PolicyNotice) => {
    this.notices.push(notice);
    return notice.kind === 'policyGone' ? Promise.resolve(this.goneChoice) : undefined;
  };
  /** What the Problems panel shows now, by file. */
  problems = new Map<string, PolicyProblem[]>();
  showProblems = (file: string | undefined, list: PolicyProblem[]) => {
    this.problems.clear();
    if (file && list.length > 0) this.problems.set(file, list);
  };

  logged(level: 'info' | 'warn' | 'error', pattern: RegExp): boolean {
    return this.lines.some((entry) => entry.level === level && pattern.test(entry.line));
  }
}

async function withController(prepare: (dir: string, policyFile: string) => Promise<void>, fn: (harness: Harness) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-controller-'));
  const policyFile = path.join(dir, '.vscode', 'dingtalk-mcp-policy.json');
  const emulator = await DingTalkEmulator.start();
  const endpoints = endpointsWithDefaults({ apiBaseUrl: emulator.apiBaseUrl, legacyApiBaseUrl: emulator.legacyApiBaseUrl });
  const redactor = new Redactor();
  const tokens = new TokenManager({ fetcher: () => fetchAccessToken(endpoints, APP), autoRefresh: false, redactor });
  const host = new FakeHost(emulator, tokens, redactor, policyFile);
  const controller = new McpController(host);
  const clients: Client[] = [];
  const connect = async () => {
    const server = await controller.resolve();
    assert.ok(server, 'the server runs');
    const client = new Client({ name: 'mcp-controller-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers } }));
    clients.push(client);
    return client;
  };
  try {
    await prepare(dir, policyFile);
    await fn({
      dir,
      policyFile,
      controller,
      host,
      emulator,
      call: async (name, args = {}) => (await (await connect()).callTool({ name, arguments: args })) as CallToolResult,
      listTools: async () => (await (await connect()).listTools()).tools.map((tool) => tool.name).sort(),
    });
  } finally {
    for (const client of clients) await client.close().catch(() => undefined);
    controller.dispose();
    await Promise.all(host.started.map((server) => server.close()));
    tokens.dispose();
    await emulator.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const text = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

async function writePolicy(file: string, policy: object | string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, typeof policy === 'string' ? policy : JSON.stringify(policy));
}

const DENY_STATUS = { version: '1', tools: { token_status: { action: 'deny', reason: 'status is off here' } } };

for (const [what, prepare, reason] of [
  ['a directory', async (file: string) => void (await fs.mkdir(file, { recursive: true })), /cannot be read.*directory/],
  ['invalid JSON', (file: string) => writePolicy(file, '{"version": "1", "default": "deny",'), /is invalid.*not valid JSON/],
] as const) {
  test(`in the extension, a policy file that is ${what} at start denies every call and tells the person`, async () => {
    await withController(
      (_dir, file) => prepare(file),
      async ({ call, host, emulator }) => {
        const result = await call('get_access_token');
        assert.equal(result.isError, true);
        assert.ok(text(result).startsWith('[POLICY DENIED]'), text(result));
        assert.match(text(result), reason);
        assert.equal(emulator.stats().tokenRequests, 0);
        assert.ok(host.logged('error', /every tool call is denied/i), JSON.stringify(host.lines));
        assert.ok(!host.logged('info', /cannot be read|is invalid/), 'the problem is not logged at [info]');
        assert.deepEqual(
          host.notices.map((notice) => notice.kind),
          ['denyingAll'],
        );
        assert.match((host.notices[0] as { error: string }).error, reason.source.includes('directory') ? /directory/ : /not valid JSON/);
      },
    );
  });
}

test('in the extension, fixing the file lifts the denial; a later invalid edit keeps the last good policy and says so', async () => {
  await withController(
    (_dir, file) => writePolicy(file, '{ nope'),
    async ({ call, controller, host, policyFile }) => {
      assert.equal((await call('list_apps')).isError, true);
      await writePolicy(policyFile, DENY_STATUS);
      await controller.reload();
      assert.equal((await call('list_apps')).isError, undefined);
      assert.match(text(await call('token_status')), /^\[POLICY DENIED\] status is off here/);
      assert.ok(host.logged('info', /loaded and in force/));

      await writePolicy(policyFile, '{"version": 2}');
      await controller.reload();
      assert.match(text(await call('token_status')), /^\[POLICY DENIED\] status is off here/, 'the last good policy stays');
      assert.equal((await call('list_apps')).isError, undefined);
      assert.ok(host.logged('warn', /last good policy stays in force/));
      assert.deepEqual(
        host.notices.map((notice) => notice.kind),
        ['denyingAll', 'keptLastGood'],
      );
    },
  );
});

test('a policy edit still applies after applying an earlier one failed (a listener threw); the failure is logged', async () => {
  await withController(
    (_dir, file) => writePolicy(file, '{ nope'),
    async ({ call, controller, host, policyFile }) => {
      assert.equal((await call('list_apps')).isError, true, 'the server runs, denying every call');
      const showProblems = host.showProblems;
      host.showProblems = () => {
        host.showProblems = showProblems;
        throw new Error('the Problems panel is gone');
      };
      await writePolicy(policyFile, { version: '1' });
      await controller.reload();
      assert.ok(host.logged('error', /Applying the policy file failed: the Problems panel is gone/), JSON.stringify(host.lines));

      await writePolicy(policyFile, DENY_STATUS);
      await controller.reload();
      assert.match(text(await call('token_status')), /^\[POLICY DENIED\] status is off here/, 'the later edit is in force');
    },
  );
});

test('in the extension, no policy file means the built-in defaults, logged at [info] and no notification', async () => {
  await withController(
    async () => undefined,
    async ({ call, host }) => {
      assert.equal((await call('list_apps')).isError, undefined);
      assert.ok(host.logged('info', /does not exist; the built-in defaults apply/));
      assert.deepEqual(host.notices, []);
    },
  );
});

test('in the extension, policy entries naming unknown tools are logged as a warning and shown to the person', async () => {
  const typos = { version: '1', hide: ['Get_Access_Token'], tools: { 'refresh-access-token': { action: 'deny' } } };
  await withController(
    (_dir, file) => writePolicy(file, typos),
    async ({ listTools, host }) => {
      assert.ok((await listTools()).includes('get_access_token'), 'the typo hides nothing');
      assert.ok(host.logged('warn', /hide\[0\] "Get_Access_Token" \(did you mean "get_access_token"\?\)/), JSON.stringify(host.lines));
      assert.deepEqual(
        host.notices.map((notice) => [notice.kind, notice.source]),
        [['unknownTools', host.location.source]],
      );
      const entries = host.notices[0]?.kind === 'unknownTools' ? host.notices[0].entries : [];
      assert.deepEqual(
        entries.map((entry) => [entry.code, unknownToolEntry(entry.params)]),
        [
          ['unknownTool', 'hide[0] "Get_Access_Token" (did you mean "get_access_token"?)'],
          ['unknownTool', 'tools["refresh-access-token"] (did you mean "refresh_access_token"?)'],
        ],
      );
    },
  );
});

test('in the extension, a policy written into a .vscode/ folder made while the server runs takes effect; moved away it stays in force', async () => {
  const STATUS_OFF = { version: '1', hide: ['list_apps'], tools: { token_status: { action: 'deny', reason: 'status is off here' } } };
  await withController(
    async () => undefined,
    async ({ call, listTools, host, policyFile, dir }) => {
      host.watchOptions = { debounceMs: 10, pollIntervalMs: 60_000 };
      const before = (await call('token_status')).structuredContent as { policy: unknown };
      assert.deepEqual(before.policy, { file: policyFile, inForce: 'defaults' });
      assert.ok((await listTools()).includes('list_apps'));

      const mark = host.lines.length;
      await writePolicy(policyFile, STATUS_OFF);
      await host.waitForLog('info', /loaded and in force/, mark);
      assert.ok(!(await listTools()).includes('list_apps'));
      assert.match(text(await call('token_status')), /^\[POLICY DENIED\] status is off here/);

      // Moved away: the policy stays in force, and the person is asked.
      const moved = host.lines.length;
      await fs.rename(policyFile, path.join(dir, 'parked.json'));
      await host.waitForLog('warn', /no longer exists; the policy it held stays in force/, moved);
      assert.match(text(await call('token_status')), /^\[POLICY DENIED\] status is off here/);
      assert.deepEqual(
        host.notices.map((notice) => notice.kind),
        ['policyGone'],
      );
      // Moved back: followed as before.
      const back = host.lines.length;
      await fs.rename(path.join(dir, 'parked.json'), policyFile);
      await host.waitForLog('info', /loaded and in force/, back);
      assert.ok(!(await listTools()).includes('list_apps'));
    },
  );
});

test('changing the policy file (setting or workspace folder) takes effect at once; the old file is dropped', async () => {
  const clock = new FakeClock();
  const watched = new Set<string>();
  await withController(
    async (dir, file) => {
      await writePolicy(file, DENY_STATUS);
      await writePolicy(path.join(dir, 'other', 'policy.json'), { version: '1', hide: ['list_apps'] });
    },
    async ({ call, listTools, host, controller, dir, policyFile }) => {
      host.watchOptions = {
        clock,
        watchFolder: (folder) => {
          watched.add(folder);
          return { close: () => watched.delete(folder) };
        },
      };
      assert.match(text(await call('token_status')), /^\[POLICY DENIED\] status is off here/);
      assert.deepEqual([...watched], [path.dirname(policyFile)]);

      const other = path.join(dir, 'other', 'policy.json');
      host.location = { source: other, path: other };
      await controller.configurationChanged();
      assert.equal((await call('token_status')).isError, undefined, 'the old file no longer decides');
      assert.ok(!(await listTools()).includes('list_apps'), 'the new file decides');
      assert.deepEqual([...watched], [path.dirname(other)], 'only the new file is watched');
      assert.ok(host.logged('info', new RegExp(`${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} loaded and in force`)));
      assert.equal(host.started.length, 1, 'the same server, no restart');

      // Both files edited (no fs events here, so only the poll sees it): the new file's edit applies, the old one's never.
      const edited = host.lines.length;
      await writePolicy(policyFile, { version: '1', hide: ['token_status'] });
      await writePolicy(other, { version: '1', hide: ['list_robots'] });
      await clock.advance(DEFAULT_POLICY_POLL_MS);
      await host.waitForLog('info', /loaded and in force/, edited);
      await controller.reload();
      const tools = await listTools();
      assert.ok(!tools.includes('list_robots'), 'the new file is followed');
      assert.ok(tools.includes('token_status'), 'the old file is no longer followed');
      assert.deepEqual([...watched], [path.dirname(other)], 'nor its folder watched again by a poll');

      // No folder open any more: the built-in defaults.
      host.location = { source: 'built-in defaults (no folder is open)' };
      await controller.configurationChanged();
      assert.ok((await listTools()).includes('list_apps'));
      await writePolicy(other, { version: '1', hide: ['list_apps'] });
      await clock.advance(DEFAULT_POLICY_POLL_MS);
      await controller.reload();
      assert.ok((await listTools()).includes('list_apps'), 'no file is followed any more');
      assert.deepEqual([...watched], [], 'nor watched, even once a poll was due');
    },
  );
});

test('turning MCP off stops the server and offers none; on again starts a fresh one', async () => {
  await withController(
    async () => undefined,
    async ({ call, host, controller }) => {
      assert.equal((await call('list_apps')).isError, undefined);
      const first = host.started[0];
      assert.ok(first);
      host.mcpEnabled = false;
      await controller.configurationChanged();
      assert.equal(controller.offered(), false);
      assert.equal(await controller.resolve(), undefined);
      assert.ok(first.closed, 'the server was told to stop');
      await first.closed;
      const client = new Client({ name: 'late', version: '1.0.0' });
      await assert.rejects(client.connect(new StreamableHTTPClientTransport(new URL(first.url), { requestInit: { headers: first.headers } })));
      assert.ok(host.logged('info', /MCP server stopped/));

      host.mcpEnabled = true;
      await controller.configurationChanged();
      assert.equal(controller.offered(), true);
      assert.equal((await call('list_apps')).isError, undefined);
      assert.equal(host.started.length, 2);
      assert.notEqual(host.started[1]!.url, first.url);
    },
  );
});

test('a policy file that appears broken while only the built-in defaults were in force denies every call, and deleting it keeps the denial', async () => {
  await withController(
    async () => undefined,
    async ({ call, controller, host, policyFile }) => {
      assert.equal((await call('list_apps')).isError, undefined);
      await writePolicy(policyFile, '{"version": "1", "default": "deny", "tools": {"token_status": {}},');
      await controller.reload();
      const denied = await call('list_apps');
      assert.ok(text(denied).startsWith('[POLICY DENIED]'), text(denied));
      assert.match(text(denied), /is invalid/);
      assert.deepEqual(
        host.notices.map((notice) => notice.kind),
        ['denyingAll'],
      );
      assert.ok(host.logged('error', /Every tool call is denied until it is fixed/));

      await fs.rm(policyFile);
      await controller.reload();
      assert.ok(text(await call('list_apps')).startsWith('[POLICY DENIED]'), 'deleting the broken file loosens nothing');
      assert.deepEqual(
        host.notices.map((notice) => notice.kind),
        ['denyingAll', 'policyGone'],
      );
    },
  );
});

test('in the extension, a broken policy shows in Problems at its line; fixing it clears them; unknown tools are warnings at theirs', async () => {
  const broken =
    '{\n  "version": "1",\n  "tools": {\n    "list_apps": {\n      "rules": [\n        { "name": "r", "action": "deny", "conditions": [] },\n        { "name": "s", "conditions": [{ "path": "args.a", "op": "like", "value": 1 }] }\n      ]\n    }\n  }\n}\n';
  await withController(
    (_dir, file) => writePolicy(file, broken),
    async ({ call, controller, host, policyFile }) => {
      assert.equal((await call('list_apps')).isError, true);
      assert.deepEqual(host.problems.get(policyFile), [
        {
          code: 'unknownOperator',
          params: { at: 'tools.list_apps.rules[1].conditions[0]', op: 'like', operators: 'eq, neq, in, not_in, lt, lte, gt, gte, regex, contains, exists' },
          message:
            'tools.list_apps.rules[1].conditions[0]: unknown operator "like" (use one of eq, neq, in, not_in, lt, lte, gt, gte, regex, contains, exists)',
          line: 7,
          severity: 'error',
        },
      ]);
      await writePolicy(policyFile, '{\n  "version": "1",\n  "hide": [\n    "list_app"\n  ]\n}\n');
      await controller.reload();
      assert.deepEqual(
        host.problems.get(policyFile)?.map(({ line, severity }) => [line, severity]),
        [[4, 'warning']],
      );
      await writePolicy(policyFile, { version: '1' });
      await controller.reload();
      assert.equal(host.problems.size, 0, 'a good policy clears the Problems');
    },
  );
});

test('deleting a restrictive policy file keeps it in force and asks the person; choosing the defaults switches to them', async () => {
  await withController(
    (_dir, file) => writePolicy(file, DENY_STATUS),
    async ({ call, controller, host, policyFile }) => {
      assert.match(text(await call('token_status')), /^\[POLICY DENIED\] status is off here/);
      await fs.rm(policyFile);
      await controller.reload();
      assert.match(text(await call('token_status')), /^\[POLICY DENIED\] status is off here/, 'a denied call stays denied');
      assert.deepEqual(host.notices, [{ kind: 'policyGone', source: policyFile, denyingAll: false }]);
      assert.ok(host.logged('warn', /no longer exists; the policy it held stays in force/), JSON.stringify(host.lines));

      // Asked again after the file comes back and goes again; this time the person chooses the defaults.
      await writePolicy(policyFile, DENY_STATUS);
      await controller.reload();
      host.goneChoice = 'useDefaults';
      const mark = host.lines.length;
      await fs.rm(policyFile);
      await controller.reload();
      await host.waitForLog('info', /does not exist; the built-in defaults apply/, mark);
      assert.equal((await call('token_status')).isError, undefined, 'the built-in defaults allow it');
    },
  );
});
