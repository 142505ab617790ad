import * as l10n from '@vscode/l10n';
import { Emitter, type Disposable } from '../emitter';
import type { ProblemsView } from '../apis/lm.apis';
import { approvalText, MAX_APPROVAL_TEXT_CHARS, policyProblem, type PolicyProblem } from '../../core/policy';
import { adviceFor } from '../wording/messages';
import { SERVER_LINES } from './serverLines';
import type { Services } from '../services';
import { McpController, type McpState, type PolicyGoneChoice, type PolicyLocation, type PolicyNotice } from './controller';
import { wordFailure, wordUnknownEntries } from '../wording/policyWording';
import { COMMAND } from '../commandIds';
import { PolicyEditing, policyProblemWords, type PolicyAsTyped } from './policyEditing';

const PROVIDER_ID = 'dingtalkToken.mcp';
const LABEL = 'DingTalk Access Token';

export interface McpProvider extends Disposable {
  /** Call once `services.settings()` holds changed settings: the server follows them at once. */
  configurationChanged(): void;
  /** Whether the server is offered and running, and the policy in force (for the DingTalk view). */
  state(): McpState;
  /** The policy file as typed in an open editor, checked by the engine; undefined when it is not open. */
  policyAsTyped(): PolicyAsTyped | undefined;
  onDidChangeState(listener: () => void): Disposable;
}

/** The in-process server's entry and the policy check, dist/mcp.js inside the editor; unit tests hand in src/mcp/bundle's. */
export type LoadServer = () => Pick<typeof import('../../mcp/bundle'), 'startExtensionMcpServer' | 'checkPolicyDocument' | 'counterStoreFrom'>;

// Required by path so esbuild keeps it a separate file that activation never loads.
export const loadBundledServer: LoadServer = () => require('./mcp.js') as typeof import('../../mcp/bundle');

/**
 * Offers the in-process MCP server to VS Code. The definition is cheap; the server (MCP SDK, zod, policy)
 * starts only when VS Code resolves it, and shares this window's one TokenManager. Its life (policy file,
 * settings) is McpController's; this is the vscode side.
 */
export function registerMcpProvider(services: Services, loadServer: LoadServer = loadBundledServer): McpProvider {
  const changed = new Emitter<void>();
  const stateChanged = new Emitter<void>();
  const problems = services.apis.lm.createProblems('dingtalkToken.mcpPolicy');
  // What the server last loaded, shown while the file is not open (then the as-typed check owns its Problems).
  let loaded: { file: string | undefined; list: PolicyProblem[] } = { file: undefined, list: [] };
  const editing = new PolicyEditing({
    services,
    problems,
    check: () => loadServer().checkPolicyDocument,
    restoreServerProblems: () => showProblems(problems, loaded.file, loaded.list),
    changed: () => stateChanged.fire(),
  });
  let appsVersion = 0;
  const controller = new McpController({
    enabled: () => services.settings().mcpEnabled,
    policyLocation: () => policyLocation(services),
    startServer: async ({ source, read }) => {
      const { startExtensionMcpServer } = loadServer();
      // Opened first, so the view and token_status name the store from the start.
      await services.counters.ready();
      const server = await startExtensionMcpServer({
        tokens: services.tokens,
        apps: services.credentials,
        robots: services.robots.sender,
        endpoints: () => services.settings().endpoints,
        audit: services.audit,
        approver: (request) => askPerson(services, request),
        // The window's one store, robot sends counted there too: shared by every window of this person, or by the team.
        counters: services.counters,
        policySource: source,
        policyRead: read,
        log: (line) => services.log.info(line),
        lines: SERVER_LINES,
        advice: adviceFor,
        redactor: services.redactor,
      });
      services.log.info(l10n.t('MCP server listening ({0})', server.kind));
      return server;
    },
    log: services.log,
    stoppedLine: l10n.t('MCP server stopped: dingtalkToken.mcp.enabled is off.'),
    notify: (notice) => {
      if (notice.kind === 'policyGone') return askAboutGonePolicy(services, notice);
      // Saved mid-edit (autosave): what the person is typing already shows in Problems and the view, and agents keep
      // the last good policy, so only a policy that denies every call interrupts them.
      if (notice.kind !== 'denyingAll' && editing.owns(notice.source)) return;
      void notifyPolicy(services, notice);
    },
    showProblems: (file, list) => {
      loaded = { file, list };
      if (!editing.owns(file)) showProblems(problems, file, list);
    },
    shadowSetting: () => services.settings().shadowPolicyFile,
  });

  const server = {
    onDidChange: changed.event,
    definition: () => (controller.offered() ? { label: LABEL, version: `${services.version}.${appsVersion}` } : undefined),
    resolve: async () => {
      try {
        return await controller.resolve();
      } catch (error) {
        services.log.error(l10n.t('Could not start the MCP server: {0}', (error as Error).message));
        throw error;
      }
    },
  };

  const subscriptions: Disposable[] = [
    changed,
    editing,
    problems,
    controller,
    controller.onDidChangeState(() => stateChanged.fire()),
    services.counters.onDidChange(() => stateChanged.fire()),
    stateChanged,
    services.apis.lm.registerMcpServer(PROVIDER_ID, server),
    services.credentials.onDidChangeApps(() => {
      appsVersion++;
      changed.fire();
    }),
    // A relative policy path is read against the first workspace folder.
    services.apis.workspace.onDidChangeFolders(() => follow()),
  ];
  function follow(): void {
    editing.configurationChanged();
    controller.configurationChanged().catch((error: unknown) => services.log.error(l10n.t('Could not follow the MCP settings: {0}', (error as Error).message)));
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
    policyAsTyped: () => editing.asTyped(),
    onDidChangeState: (listener) => stateChanged.event(listener),
    dispose: () => subscriptions.forEach((subscription) => void subscription.dispose()),
  };
}

/** The policy file the settings name: a local path, or why there is none. */
function policyLocation(services: Services): PolicyLocation {
  const settings = services.settings();
  const uri = services.apis.workspace.policyFile(settings);
  if (!uri) return { source: l10n.t('dingtalkToken.mcp.policyFile "{0}" (no folder is open)', settings.policyFile) };
  if (uri.scheme !== 'file') {
    return { source: uri.toString(), problem: policyProblem('notLocal', { setting: 'dingtalkToken.mcp.policyFile' }) };
  }
  return { source: uri.fsPath, path: uri.fsPath };
}

/** The policy file's problems as the server loaded them, each on its line (the whole first line when it has none). */
function showProblems(collection: ProblemsView, file: string | undefined, list: PolicyProblem[]): void {
  collection.clear();
  if (!file || list.length === 0) return;
  collection.set(
    file,
    list.map((problem) => ({ line: Math.max(0, (problem.line ?? 1) - 1), ...policyProblemWords(problem) })),
  );
}

/**
 * The policy file is gone: what it put in force stays until the person says otherwise (an agent's tools can
 * delete a file in the workspace; that must not loosen the policy). Dismissing keeps it.
 */
async function askAboutGonePolicy(services: Services, notice: Extract<PolicyNotice, { kind: 'policyGone' }>): Promise<PolicyGoneChoice> {
  const keep = l10n.t('Keep It');
  const defaults = l10n.t('Use the Defaults');
  const message = notice.denyingAll
    ? l10n.t(
        'The MCP policy file {0} was deleted or moved. Every DingTalk tool call by agents stays denied until you choose: keep denying, or use the built-in defaults (every tool allowed)?',
        notice.source,
      )
    : l10n.t(
        'The MCP policy file {0} was deleted or moved. The policy it held stays in force until you choose: keep it, or use the built-in defaults (every tool allowed)?',
        notice.source,
      );
  const choice = await services.apis.window.showWarningMessage(message, keep, defaults);
  return choice === defaults ? 'useDefaults' : choice === keep ? 'keep' : undefined;
}

/** A policy problem, visibly: every call denied (an error) or the last good policy kept (a warning). */
async function notifyPolicy(services: Services, notice: Exclude<PolicyNotice, { kind: 'policyGone' }>): Promise<void> {
  const open = l10n.t('Open MCP Policy');
  const message =
    notice.kind === 'denyingAll'
      ? l10n.t(
          'The MCP policy {0} cannot be used, so every DingTalk tool call by agents is denied until it is fixed: {1}',
          notice.source,
          wordFailure(notice.failure),
        )
      : notice.kind === 'keptLastGood'
        ? l10n.t('The MCP policy file has an error, so the last good policy stays in force: {0}', wordFailure(notice.failure))
        : l10n.t('The MCP policy names tools this server does not have, so these entries change nothing: {0}', wordUnknownEntries(notice.entries));
  const choice = await services.apis.window.showWarningMessage(message, open);
  if (choice === open) await services.apis.commands.execute(COMMAND.openPolicy);
}

/** The `approve` action: a modal showing everything the call will do; dismissing it denies. */
async function askPerson(services: Services, request: { tool: string; args: Record<string, unknown> }): Promise<boolean> {
  const text = approvalText(
    request.tool,
    request.args,
    {
      method: l10n.t('Method'),
      path: l10n.t('Path'),
      query: l10n.t('Query'),
      body: l10n.t('Body'),
      app: l10n.t('App'),
      otherArguments: l10n.t('Arguments'),
      noArguments: l10n.t('(no arguments)'),
    },
    services.redactor,
  );
  const title = l10n.t('An agent wants to call the DingTalk tool "{0}".', request.tool);
  if (text.length > MAX_APPROVAL_TEXT_CHARS) {
    // A person cannot approve what they cannot read whole: deny, and say why.
    await services.apis.window.showModalWarning(
      title,
      l10n.t('Its arguments are {0} characters long, too long to show here in full, so the call was denied. Ask the agent for a smaller call.', text.length),
    );
    return false;
  }
  const allow = l10n.t('Allow Once');
  const choice = await services.apis.window.showModalWarning(title, l10n.t('{0}\n\nThe MCP policy asks you to approve each call of this tool.', text), allow);
  return choice === allow;
}
