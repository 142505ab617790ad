import * as path from 'node:path';
import * as os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The compiled standalone server, as `dingtalk-token-mcp` runs it. */
export const CLI = path.join(__dirname, '../../src/mcp/cli/main.js');

export interface CliSession {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Resolves once stderr contains `text` (the server batches its log lines). */
  stderrIncludes(text: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * What every CLI a test starts gets besides its own variables: PATH, and a state folder of its own, so the
 * policy's counters (a file there) start empty and no run counts against another's daily limits.
 */
export function cliBaseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', DINGTALK_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'cli-state-')) };
}

/** The CLI as a bare process: its output as it comes, so a test can send raw bytes and read what comes back. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once `check` holds (tried on each output); fails if the process ends first. */
  until(check: () => boolean): Promise<void>;
  /** The exit code once the process has ended and its output is read (null when it was killed). */
  exited: Promise<number | null>;
}

/** Starts the real CLI with `args` and exactly `env` (plus PATH and a state folder of its own); killed after `timeoutMs`. */
export function spawnCli(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...cliBaseEnv(), ...env }, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
  let stdout = '';
  let stderr = '';
  let ended = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    wake();
  });
  // 'close' rather than 'exit': by then stdout and stderr are read to their end.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      ended = true;
      resolve(code);
      wake();
    }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    until: (check) =>
      new Promise((resolve, reject) => {
        const waiter = () => {
          if (!check() && !ended) return;
          waiters.delete(waiter);
          if (check()) resolve();
          else reject(new Error(`the CLI ended before the awaited output; stderr: ${stderr.slice(-500)}`));
        };
        waiters.add(waiter);
        waiter();
      }),
  };
}

/** The CLI run to its end with stdin closed: what it printed and how it exited. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const cli = spawnCli(args, env);
  cli.child.stdin.end();
  const status = await cli.exited;
  return { status, stdout: cli.stdout(), stderr: cli.stderr() };
}

/**
 * Starts the real CLI process with exactly `env` (plus PATH) and connects an MCP client over its stdio;
 * with onElicit the client can answer approval prompts.
 */
export async function startCli(env: Record<string, string>, options: { onElicit?: (message: string) => boolean } = {}): Promise<CliSession> {
  // Counters (policy limits, robot sends) go to a folder of this session's own unless the test shares one.
  const ownStateDir = env.DINGTALK_STATE_DIR ? undefined : mkdtempSync(path.join(os.tmpdir(), 'cli-state-'));
  const stateEnv: Record<string, string> = ownStateDir ? { DINGTALK_STATE_DIR: ownStateDir } : {};
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: { PATH: process.env.PATH ?? '', ...stateEnv, ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  const waiters = new Set<() => void>();
  transport.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const waiter of [...waiters]) waiter();
  });
  const client = new Client({ name: 'cli-test', version: '1.0.0' }, { capabilities: options.onElicit ? { elicitation: {} } : {} });
  const onElicit = options.onElicit;
  if (onElicit) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => ({ action: 'accept', content: { approve: onElicit(request.params.message) } }));
  }
  await client.connect(transport);
  return {
    client,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    stderr: () => stderr,
    stderrIncludes: (text) =>
      new Promise((resolve) => {
        const check = () => {
          if (!stderr.includes(text)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    close: async () => {
      await client.close();
      if (ownStateDir) rmSync(ownStateDir, { recursive: true, force: true });
    },
  };
}

export const resultText = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
