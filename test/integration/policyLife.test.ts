import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';
import { eventually } from '../support/eventually';
import { cliBaseEnv } from '../support/cliProcess';

/**
 * The policy file's life as the standalone server meets it: a file that cannot be read at start, typos,
 * a file that appears, changes or goes later, a symlink. Waits are for a condition, with a timeout.
 * (The extension's side is in mcpController.test.ts, the watcher's own cases in policyWatcher.test.ts.)
 */

const [APP] = SANDBOX_APPS;
const CLI = path.join(__dirname, '../../src/mcp/cli/main.js');

interface Cli {
  dir: string;
  policyFile: string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  listTools(): Promise<string[]>;
  logs(): string;
}

/** Runs `dingtalk-token-mcp` over stdio against the emulator, with DINGTALK_POLICY_FILE at `<tmp>/<policyPath>` prepared by `prepare`. */
async function withCli(
  prepare: (dir: string, policyFile: string) => Promise<void>,
  fn: (cli: Cli, emulator: DingTalkEmulator) => Promise<void>,
  policyPath = 'policy.json',
): Promise<void> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'policy-life-')));
  const policyFile = path.join(dir, policyPath);
  const emulator = await DingTalkEmulator.start();
  let client: Client | undefined;
  try {
    await prepare(dir, policyFile);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI],
      env: {
        ...cliBaseEnv(),
        DINGTALK_API_BASE_URL: emulator.apiBaseUrl,
        DINGTALK_LEGACY_API_BASE_URL: emulator.legacyApiBaseUrl,
        DINGTALK_APP_KEY: APP.appKey,
        DINGTALK_APP_SECRET: APP.appSecret,
        DINGTALK_POLICY_FILE: policyFile,
        // Counters of this test's own, not the person's ~/.local/state shared by every run.
        DINGTALK_STATE_DIR: dir,
      },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    client = new Client({ name: 'policy-life-test', version: '1.0.0' });
    await client.connect(transport);
    const connected = client;
    await fn(
      {
        dir,
        policyFile,
        call: async (name, args = {}) => (await connected.callTool({ name, arguments: args })) as CallToolResult,
        listTools: async () => (await connected.listTools()).tools.map((tool) => tool.name).sort(),
        logs: () => stderr,
      },
      emulator,
    );
  } finally {
    await client?.close();
    await emulator.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const text = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

const UNREADABLE: [string, (dir: string, policyFile: string) => Promise<void>, RegExp][] = [
  ['a directory', (_dir, file) => fs.mkdir(file), /directory/],
  [
    'a symlink loop',
    async (dir, file) => {
      await fs.symlink(path.join(dir, 'other.json'), file);
      await fs.symlink(file, path.join(dir, 'other.json'));
    },
    /loops/,
  ],
  ['a dangling symlink', (dir, file) => fs.symlink(path.join(dir, 'gone.json'), file), /does not exist/],
  ['invalid JSON', (_dir, file) => fs.writeFile(file, '{"version": "1", "default": "deny",'), /not valid JSON/],
];

for (const [what, prepare, reason] of UNREADABLE) {
  test(`the standalone server denies every call when its policy file is ${what} at start`, async () => {
    await withCli(prepare, async (cli, emulator) => {
      for (const tool of ['get_access_token', 'refresh_access_token', 'list_apps']) {
        const result = await cli.call(tool);
        assert.equal(result.isError, true, `${tool}: ${text(result)}`);
        assert.ok(text(result).startsWith('[POLICY DENIED]'), text(result));
        assert.match(text(result), reason);
        assert.match(text(result), /every tool call is denied/);
      }
      assert.equal(emulator.stats().tokenRequests, 0);
      await eventually(() => /every tool call is denied/i.test(cli.logs()), 'stderr says every call is denied');
    });
  });
}

test('the standalone server logs policy entries naming unknown tools, with the closest real name', async () => {
  const typos = JSON.stringify({ version: '1', hide: ['Get_Access_Token'], tools: { 'refresh-access-token': { action: 'deny' } } });
  await withCli(
    (_dir, file) => fs.writeFile(file, typos),
    async (cli) => {
      await eventually(() => /did you mean "refresh_access_token"/.test(cli.logs()), 'the typo is reported');
      assert.match(cli.logs(), /hide\[0\] "Get_Access_Token" \(did you mean "get_access_token"\?\)/);
      assert.match(cli.logs(), /change nothing/);
    },
  );
});

const STATUS_OFF = JSON.stringify({ version: '1', hide: ['list_apps'], tools: { token_status: { action: 'deny', reason: 'status is off here' } } });

test('the standalone server follows a policy file created later in a .vscode/ that did not exist, and keeps it in force once deleted', async () => {
  await withCli(
    async () => undefined,
    async (cli) => {
      assert.ok((await cli.listTools()).includes('list_apps'));
      assert.equal((await cli.call('token_status')).isError, undefined);
      await fs.mkdir(path.dirname(cli.policyFile));
      await fs.writeFile(cli.policyFile, STATUS_OFF);
      await eventually(async () => !(await cli.listTools()).includes('list_apps'), 'list_apps hidden');
      assert.match(text(await cli.call('token_status')), /^\[POLICY DENIED\] status is off here/);
      await eventually(() => /policy-life-[^ ]*\/\.vscode\/dingtalk-mcp-policy\.json loaded and in force/.test(cli.logs()), 'the log names the file in force');

      await fs.rm(path.dirname(cli.policyFile), { recursive: true });
      await eventually(
        () => /dingtalk-mcp-policy\.json no longer exists; the policy it held stays in force until the server restarts/.test(cli.logs()),
        'stderr says the policy stays',
      );
      assert.match(text(await cli.call('token_status')), /^\[POLICY DENIED\] status is off here/, 'a denied call stays denied');
      assert.ok(!(await cli.listTools()).includes('list_apps'), 'a hidden tool stays hidden');
    },
    '.vscode/dingtalk-mcp-policy.json',
  );
});

test("the standalone server follows edits of a symlinked policy file's target, and token_status names both files", async () => {
  const prepare = async (dir: string, file: string) => {
    await fs.mkdir(path.join(dir, 'shared'));
    await fs.writeFile(path.join(dir, 'shared', 'team.json'), JSON.stringify({ version: '1' }));
    await fs.symlink(path.join(dir, 'shared', 'team.json'), file);
  };
  await withCli(prepare, async (cli) => {
    const status = (await cli.call('token_status')).structuredContent as { policy: unknown };
    assert.deepEqual(status.policy, { file: cli.policyFile, resolvesTo: path.join(cli.dir, 'shared', 'team.json'), inForce: 'file' });
    await fs.writeFile(path.join(cli.dir, 'shared', 'team.json'), STATUS_OFF);
    await eventually(async () => (await cli.call('token_status')).isError === true, 'the edited target applies');
    assert.match(text(await cli.call('token_status')), /status is off here/);
  });
});

/** Intercept's format as its users write it: what agents may do with the DingTalk API, not only which tools. */
const INTERCEPT_YAML = `version: "1"
description: "Agents read; they do not write"
hide:
  - get_access_token
tools:
  dingtalk_api_request:
    rules:
      - name: "reads only"
        conditions:
          - path: "args.method"
            op: "eq"
            value: "GET"
        on_deny: "Only GET requests are allowed for agents"
  "*":
    rules:
      # A day, not a minute: a real clock must not cross the window's end during the test.
      - name: "global rate limit"
        rate_limit: 3/day
`;

test('an Intercept-format YAML policy governs the standalone server: hide, conditions on arguments, rate_limit under "*"', async () => {
  await withCli(
    (_dir, file) => fs.writeFile(file, INTERCEPT_YAML),
    async (cli) => {
      await eventually(() => /policy\.yaml loaded and in force/.test(cli.logs()), 'the YAML policy is in force');
      assert.ok(!(await cli.listTools()).includes('get_access_token'), 'hidden by the YAML hide list');
      const write = await cli.call('dingtalk_api_request', { method: 'POST', path: '/v1.0/robot/oToMessages/batchSend', body: { msgKey: 'sampleText' } });
      assert.equal(text(write), '[POLICY DENIED] Only GET requests are allowed for agents');
      // The denied write used none of the global quota: three calls pass, the fourth is refused.
      for (const tool of ['list_apps', 'token_status', 'list_apps']) assert.equal((await cli.call(tool)).isError, undefined, tool);
      assert.match(text(await cli.call('token_status')), /^\[POLICY DENIED\] Rate limit of 3 per day reached\. Try again later\./);
    },
    'policy.yaml',
  );
});

test('a broken YAML policy at start denies every call and the log names the file and the line', async () => {
  const broken =
    'version: "1"\ntools:\n  list_apps:\n    rules:\n      - name: "no"\n        action: deny\n        conditions:\n          - {path: args.app, op: exists, value: true}\n';
  await withCli(
    (_dir, file) => fs.writeFile(file, broken),
    async (cli) => {
      await eventually(
        () => /policy\.yml is invalid: tools\.list_apps\.rules\[0\]: deny rules must not have conditions \(line 5\)/.test(cli.logs()),
        'the log names file and line',
      );
      assert.match(text(await cli.call('list_apps')), /^\[POLICY DENIED\] .*policy\.yml is invalid/);
    },
    'policy.yml',
  );
});
