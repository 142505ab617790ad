import * as vscode from 'vscode';
import { policyFileUri } from './config';
import { approvalText, MAX_APPROVAL_TEXT_CHARS } from '../core/approvalText';
import { adviceFor } from './messages';
import type { Services } from './services';
import { McpController, type McpState, type PolicyLocation, type PolicyNotice } from './mcpController';
import type { PolicyProblem } from '../core/policy';
import { COMMAND } from './commandIds';

const PROVIDER_ID = 'dingtalkToken.mcp';
const LABEL = 'DingTalk Access Token';
const COUNTERS_KEY = 'dingtalkToken.mcpCounters';

export interface McpProvider extends vscode.Disposable {
  /** Call once `services.settings()` holds changed settings: the server follows them at once. */
  configurationChanged(): void;
  /** Whether the server is offered and running, and the policy in force (for the DingTalk view). */
  state(): McpState;
  onDidChangeState(listener: () => void): vscode.Disposable;
}

/**
 * Offers the in-process MCP server to VS Code. The definition is cheap; the server (MCP SDK, zod, policy)
 * starts only when VS Code resolves it, and shares this window's one TokenManager. Its life (policy file,
 * settings) is McpController's; this is the vscode side.
 */
export function registerMcpProvider(services: Services): McpProvider {
  const changed = new vscode.EventEmitter<void>();
  const problems = vscode.languages.createDiagnosticCollection('dingtalkToken.mcpPolicy');
  let appsVersion = 0;
  const controller = new McpController({
    enabled: () => services.settings().mcpEnabled,
    policyLocation: () => policyLocation(services),
    startServer: async ({ source, read }) => {
      // Required by path so esbuild keeps it a separate file that activation never loads.
      const { startExtensionMcpServer } = require('./mcp.js') as typeof import('../mcp/bundle');
      return startExtensionMcpServer({
        tokens: services.tokens,
        apps: services.credentials,
        endpoints: () => services.settings().endpoints,
        audit: services.audit,
        approver: askPerson,
        counterStore: {
          load: () => services.context.globalState.get<Record<string, number>>(COUNTERS_KEY),
          save: (snapshot) => void services.context.globalState.update(COUNTERS_KEY, snapshot),
        },
        policySource: source,
        policyRead: read,
        log: (line) => services.log.info(line),
        advice: adviceFor,
      });
    },
    log: services.log,
    notify: (notice) => void notifyPolicy(notice),
    showProblems: (file, list) => showProblems(problems, file, list),
  });

  const provider: vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition> = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => {
      if (!controller.offered()) return [];
      // The real address is only known once the server runs; resolve fills it in.
      return [new vscode.McpHttpServerDefinition(LABEL, vscode.Uri.parse('http://localhost/mcp'), {}, `${(services.context.extension.packageJSON as { version: string }).version}.${appsVersion}`)];
    },
    resolveMcpServerDefinition: async (definition) => {
      try {
        const running = await controller.resolve();
        if (!running) return undefined;
        definition.uri = running.kind === 'tcp' || !running.socketPath
          ? vscode.Uri.parse(running.url)
          : vscode.Uri.from({ scheme: running.kind, path: running.socketPath, fragment: '/mcp' });
        definition.headers = running.headers;
        return definition;
      } catch (error) {
        services.log.error(`Could not start the MCP server: ${(error as Error).message}`);
        throw error;
      }
    },
  };

  const subscriptions: vscode.Disposable[] = [
    changed,
    problems,
    controller,
    vscode.lm.registerMcpServerDefinitionProvider(PROVIDER_ID, provider),
    services.credentials.onDidChangeApps(() => {
      appsVersion++;
      changed.fire();
    }),
    // A relative policy path is read against the first workspace folder.
    vscode.workspace.onDidChangeWorkspaceFolders(() => follow()),
  ];
  function follow(): void {
    controller.configurationChanged().catch((error: unknown) => services.log.error(`Could not follow the MCP settings: ${(error as Error).message}`));
  }
  let offered = controller.offered();
  return {
    configurationChanged: () => {
      follow();
      // Turned off or on: VS Code asks again and sees no server, or one to start.
      if (controller.offered() !== offered) {
        offered = controller.offered();
        changed.fire();
      }
    },
    state: () => controller.state(),
    onDidChangeState: (listener) => controller.onDidChangeState(listener),
    dispose: () => subscriptions.forEach((subscription) => void subscription.dispose()),
  };
}

/** The policy file the settings name: a local path, or why there is none. */
function policyLocation(services: Services): PolicyLocation {
  const settings = services.settings();
  const uri = policyFileUri(settings);
  if (!uri) return { source: `dingtalkToken.mcp.policyFile "${settings.policyFile}" (no folder is open)` };
  if (uri.scheme !== 'file') {
    return { source: uri.toString(), problem: 'it is not on this machine\'s disk; set dingtalkToken.mcp.policyFile to a local path' };
  }
  return { source: uri.fsPath, path: uri.fsPath };
}

/** The policy file's problems in the Problems panel, each on its line (the whole first line when it has none). */
function showProblems(collection: vscode.DiagnosticCollection, file: string | undefined, list: PolicyProblem[]): void {
  collection.clear();
  if (!file || list.length === 0) return;
  collection.set(vscode.Uri.file(file), list.map((problem) => {
    const line = Math.max(0, (problem.line ?? 1) - 1);
    const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), vscode.l10n.t('MCP policy: {0}', problem.message),
      problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
    diagnostic.source = 'DingTalk MCP policy';
    return diagnostic;
  }));
}

/** A policy problem, visibly: every call denied (an error) or the last good policy kept (a warning). */
async function notifyPolicy(notice: PolicyNotice): Promise<void> {
  const open = vscode.l10n.t('Open MCP Policy');
  const message = notice.kind === 'denyingAll'
    ? vscode.l10n.t('The MCP policy {0} cannot be used, so every DingTalk tool call by agents is denied until it is fixed: {1}', notice.source, notice.error)
    : notice.kind === 'keptLastGood'
      ? vscode.l10n.t('The MCP policy file has an error, so the last good policy stays in force: {0}', notice.error)
      : vscode.l10n.t('The MCP policy names tools this server does not have, so these entries change nothing: {0}', notice.entries.join('; '));
  const choice = await vscode.window.showWarningMessage(message, open);
  if (choice === open) await vscode.commands.executeCommand(COMMAND.openPolicy);
}

/** The `approve` action: a modal showing everything the call will do; dismissing it denies. */
async function askPerson(request: { tool: string; args: Record<string, unknown> }): Promise<boolean> {
  const text = approvalText(request.tool, request.args, {
    method: vscode.l10n.t('Method'),
    path: vscode.l10n.t('Path'),
    query: vscode.l10n.t('Query'),
    body: vscode.l10n.t('Body'),
    app: vscode.l10n.t('App'),
    otherArguments: vscode.l10n.t('Arguments'),
    noArguments: vscode.l10n.t('(no arguments)'),
  });
  const title = vscode.l10n.t('An agent wants to call the DingTalk tool "{0}".', request.tool);
  if (text.length > MAX_APPROVAL_TEXT_CHARS) {
    // A person cannot approve what they cannot read whole: deny, and say why.
    await vscode.window.showWarningMessage(title, {
      modal: true,
      detail: vscode.l10n.t('Its arguments are {0} characters long, too long to show here in full, so the call was denied. Ask the agent for a smaller call.', text.length),
    });
    return false;
  }
  const allow = vscode.l10n.t('Allow Once');
  const choice = await vscode.window.showWarningMessage(
    title,
    { modal: true, detail: vscode.l10n.t('{0}\n\nThe MCP policy asks you to approve each call of this tool.', text) },
    allow,
  );
  return choice === allow;
}
