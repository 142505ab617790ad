import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { AppDirectory } from '../../core/apps';
import { AuditTrail } from '../../core/audit';
import { AuditFile } from '../../core/auditFile';
import {
  baseUrlProblem,
  endpointsWithDefaults,
  fetchAccessToken,
  robotSecretValues,
  RobotSender,
  StoreSendCounter,
  type DingTalkEndpoints,
} from '../../core/dingtalk';
import {
  applyPolicyRead,
  approvalText,
  counterStoreFrom,
  defaultStateDir,
  ENGLISH_APPROVAL_WORDS,
  MAX_APPROVAL_TEXT_CHARS,
  PolicyEngine,
  PolicyFileWatcher,
} from '../../core/policy';
import { Redactor } from '../../core/redact';
import { TokenManager } from '../../core/tokens';
import { AUDIT_FILE_MEGABYTES, boundedNumber, REFRESH_MARGIN_SECONDS, REQUEST_TIMEOUT_MS, type NumberRange } from '../../core/bounds';
import { FrameFilter, MAX_FRAME_BYTES } from './stdioFrames';
import { environmentAdvice } from './envAdvice';
import { useProxyFromEnvironment } from './httpsProxy';
import { createDingTalkMcpServer } from '../tools/registry';
import type { ToolApprover } from '../tools/context';
import { TOOL_NAMES } from '../tools/definitions';
import { readApps } from './appsFile';
import { parseCommandLine, USAGE } from './commandLine';
import { runPolicyCommand } from './policyCommand';
import { openShadowPolicy } from './shadowPolicy';
import { SERVER_VERSION } from '../version';
import { readRobots, robotDirectory } from './robotsFile';

/**
 * dingtalk-token-mcp: the same tools and policy as the extension, over stdio. Configured by environment
 * variables; logs to stderr only, always redacted.
 */

type Log = (line: string) => void;

const LOG_FLUSH_MS = 50;
const APPROVAL_TIMEOUT_MS = 5 * 60_000;

/**
 * Lines go to stderr in batches, at most every 50 ms: a write to a pipe blocks, and an audit line per call
 * must not cost every call a system call. Whatever is pending is written when the process exits.
 */
function stderrLog(redactor: Redactor): Log {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length) process.stderr.write(pending.join(''));
    pending = [];
  };
  process.on('exit', flush);
  return (line) => {
    if (pending.length === 0) setTimeout(flush, LOG_FLUSH_MS).unref();
    pending.push(`dingtalk-token-mcp: ${redactor.redact(line)}\n`);
  };
}

/** Runs the server; `redactor` hides the secrets and tokens it sees from everything logged or returned. */
export async function main(env: NodeJS.ProcessEnv = process.env, redactor = new Redactor()): Promise<void> {
  const log = stderrLog(redactor);
  const { apps, problem } = readApps(env);
  for (const app of apps) redactor.remember(app.appSecret);
  if (problem) log(problem);
  const endpoints = readEndpoints(env, log);
  const robotsRead = readRobots(env, endpoints.legacyApiBaseUrl);
  for (const robot of robotsRead.robots) robotSecretValues(robot).forEach((value) => redactor.remember(value));
  robotsRead.problems.forEach(log);
  // Counters are shared with every other server of this person (a file) or of the team (Redis), robot sends included.
  const counterStore = counterStoreFrom(env.DINGTALK_COUNTER_STORE, defaultStateDir(env));
  const robots = new RobotSender({
    directory: robotDirectory(robotsRead.robots),
    counter: new StoreSendCounter(counterStore),
    endpoints: () => endpoints,
    redactor,
  });
  const proxy = useProxyFromEnvironment(env);
  const byKey = new Map(apps.map((app) => [app.appKey, app]));
  const tokens = new TokenManager({
    fetcher: (appKey) => fetchAccessToken(endpoints, byKey.get(appKey)!),
    redactor,
    refreshMarginMs: readNumber(env, 'DINGTALK_REFRESH_MARGIN_SECONDS', REFRESH_MARGIN_SECONDS, log) * 1000,
    // No timers: an idle agent should cost DingTalk nothing, and each client runs its own copy of this
    // server. getToken still refreshes ahead of expiry whenever a tool is used.
    autoRefresh: false,
  });
  const directory: AppDirectory = { list: () => apps.map(({ appKey, label }) => ({ appKey, label })), activeAppKey: () => apps[0]?.appKey };

  const policyFile = env.DINGTALK_POLICY_FILE ? path.resolve(env.DINGTALK_POLICY_FILE) : undefined;
  const policy = new PolicyEngine({ source: policyFile ?? 'built-in defaults', counterStore });
  // The policy in force follows the file from here on (a deleted file keeps it until a restart);
  // `resync` re-applies `hide` once the tools exist.
  let resync: () => void = () => undefined;
  const watcher = policyFile
    ? await PolicyFileWatcher.open(policyFile, (read) => {
        log(applyPolicyRead(policy, read, { knownTools: TOOL_NAMES }).message);
        resync();
      })
    : undefined;
  if (watcher) log(applyPolicyRead(policy, watcher.current, { knownTools: TOOL_NAMES }).message);
  const shadow = await openShadowPolicy(env, counterStore, log);

  const { server, tools } = createDingTalkMcpServer(
    {
      tokens,
      apps: directory,
      robots,
      endpoints: () => endpoints,
      policy,
      shadow: shadow.shadow,
      // The server is there by the time anyone calls a tool.
      approver: (request) => askThroughElicitation(server, request, log, redactor),
      audit: auditTrail(env, log),
      log,
      redactor,
      setupProblem: () => problem,
      advice: environmentAdvice,
    },
    randomUUID(),
  );
  resync = () => tools.sync();

  const names = apps.map((app) => (app.label === app.appKey ? app.appKey : `${app.label} (${app.appKey})`));
  log(
    `serving ${apps.length} app(s)${apps.length ? `: ${names.join(', ')}` : ''}; ` +
      `${robotsRead.robots.length} robot(s)${robotsRead.robots.length ? `: ${robotsRead.robots.map((robot) => robot.name).join(', ')}` : ''}; ` +
      `token API ${endpoints.tokenApi}; api ${endpoints.apiBaseUrl}; legacy ${endpoints.legacyApiBaseUrl}; policy ${policyFile ?? 'built-in defaults'}` +
      `; proxy ${proxy ?? 'none'}; counters ${counterStore.state().where}`,
  );
  // Every line passes the frame filter first: bad input is answered and logged, and the server keeps serving.
  const frames = new FrameFilter((problem) => {
    log(problem.log);
    void transport.send(problem.answer);
  });
  const transport = new StdioServerTransport(frames, process.stdout, { maxBufferSize: MAX_FRAME_BYTES + 2 });
  process.stdin.pipe(frames);
  await server.connect(transport);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    watcher?.close();
    shadow.close();
    tokens.dispose();
    void counterStore.close();
    void server.close();
  };
  process.stdin.once('end', stop);
  process.stdin.once('close', stop);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop();
      process.exit(0);
    });
  }
}

/** The audit trail, written to DINGTALK_AUDIT_FILE as JSON lines when it is set. */
function auditTrail(env: NodeJS.ProcessEnv, log: Log): AuditTrail {
  const audit = new AuditTrail();
  if (!env.DINGTALK_AUDIT_FILE) return audit;
  const file = path.resolve(env.DINGTALK_AUDIT_FILE);
  const maxBytes = readNumber(env, 'DINGTALK_AUDIT_MAX_MEGABYTES', AUDIT_FILE_MEGABYTES, log) * 1024 * 1024;
  const writer = new AuditFile(file, {
    maxBytes,
    onWriteFailure: (reason) => log(`audit file ${file} cannot be written (${reason}); tool calls go on, unaudited in the file`),
  });
  audit.onDidRecord((event) => writer.append(event));
  return audit;
}

/** Asks the person through MCP elicitation; without a client that can ask, the answer is no. */
export async function askThroughElicitation(server: McpServer, request: Parameters<ToolApprover>[0], log: Log, redactor: Redactor): Promise<boolean> {
  if (!server.server.getClientCapabilities()?.elicitation?.form) {
    log(`approval for ${request.tool} denied: the MCP client cannot ask the person (no elicitation support)`);
    return false;
  }
  const call = approvalText(request.tool, request.args, ENGLISH_APPROVAL_WORDS, redactor);
  if (call.length > MAX_APPROVAL_TEXT_CHARS) {
    log(`approval for ${request.tool} denied: its arguments are ${call.length} characters long, too long to show the person in full`);
    return false;
  }
  try {
    const answer = await server.server.elicitInput(
      {
        mode: 'form',
        message: redactor.redact(
          `The DingTalk MCP policy (version ${request.policyVersion}) needs your approval for ${request.tool}:\n\n${call}\n\n` +
            `Arguments sha256 ${request.argsDigest.slice(0, 16)}…; the approval covers this one call.`,
        ),
        requestedSchema: {
          type: 'object',
          properties: { approve: { type: 'boolean', title: `Allow ${request.tool}`, description: 'Allow this call once', default: false } },
          required: ['approve'],
        },
      },
      { timeout: APPROVAL_TIMEOUT_MS },
    );
    return answer.action === 'accept' && answer.content?.approve === true;
  } catch (error) {
    log(`approval for ${request.tool} denied: ${(error as Error).message}`);
    return false;
  }
}

function readEndpoints(env: NodeJS.ProcessEnv, log: Log): DingTalkEndpoints {
  for (const name of ['DINGTALK_API_BASE_URL', 'DINGTALK_LEGACY_API_BASE_URL'] as const) {
    const problem = env[name] ? baseUrlProblem(name, env[name]) : undefined;
    if (problem) throw new Error(problem);
  }
  const tokenApi = env.DINGTALK_TOKEN_API;
  if (tokenApi && tokenApi !== 'v1' && tokenApi !== 'legacy') throw new Error(`DINGTALK_TOKEN_API must be v1 or legacy, not "${tokenApi}".`);
  return endpointsWithDefaults({
    apiBaseUrl: env.DINGTALK_API_BASE_URL,
    legacyApiBaseUrl: env.DINGTALK_LEGACY_API_BASE_URL,
    tokenApi: tokenApi as DingTalkEndpoints['tokenApi'] | undefined,
    requestTimeoutMs: readNumber(env, 'DINGTALK_REQUEST_TIMEOUT_MS', REQUEST_TIMEOUT_MS, log),
  });
}

/** A numeric environment variable within its range; out of range or not a number is logged, naming the variable and range. */
function readNumber(env: NodeJS.ProcessEnv, name: string, range: Omit<NumberRange, 'name'>, log: Log): number {
  const { value, problem } = boundedNumber(env[name], { ...range, name });
  if (problem) log(problem);
  return value;
}

/**
 * The `dingtalk-token-mcp` command: --help and --version answer and exit, anything unknown exits 2 with the
 * usage; otherwise it runs the server, and exits with a one-line reason if it cannot start.
 */
export function runCli(argv: readonly string[] = process.argv.slice(2)): void {
  const command = parseCommandLine(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    case 'version':
      process.stdout.write(`${SERVER_VERSION}\n`);
      return;
    case 'usageError':
      process.stderr.write(`dingtalk-token-mcp: ${command.message}\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    case 'policy':
      void runPolicyCommand(command.args, { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`) }).then(
        (code) => (process.exitCode = code),
        (error: unknown) => {
          process.stderr.write(`dingtalk-token-mcp: ${(error as Error).message ?? String(error)}\n`);
          process.exitCode = 2;
        },
      );
      return;
    case 'serve':
      break;
  }
  const redactor = new Redactor();
  main(process.env, redactor).catch((error: unknown) => {
    process.stderr.write(`dingtalk-token-mcp: ${redactor.redact((error as Error).message ?? String(error))}\n`);
    process.exit(1);
  });
}

if (require.main === module) runCli();
