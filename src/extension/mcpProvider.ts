import * as vscode from 'vscode';
import { policyFileUri } from './config';
import { adviceFor } from './messages';
import type { Services } from './services';
import type { ExtensionServer, ExtensionServerOptions } from '../mcp/extensionServer';

const PROVIDER_ID = 'dingtalkToken.mcp';
const LABEL = 'DingTalk Access Token';
const COUNTERS_KEY = 'dingtalkToken.mcpCounters';

/**
 * Offers the in-process MCP server to VS Code. The definition is cheap; the server (MCP SDK, zod, policy)
 * starts only when VS Code resolves it, and shares this window's one TokenManager.
 */
export function registerMcpProvider(services: Services): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const subscriptions: vscode.Disposable[] = [changed];
  let server: Promise<ExtensionServer> | undefined;
  let policyWatcher: vscode.Disposable | undefined;
  let appsVersion = 0;

  const provider: vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition> = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => {
      if (!services.settings().mcpEnabled) return [];
      // The real address is only known once the server runs; resolve fills it in.
      return [new vscode.McpHttpServerDefinition(LABEL, vscode.Uri.parse('http://localhost/mcp'), {}, `${services.context.extension.packageJSON.version}.${appsVersion}`)];
    },
    resolveMcpServerDefinition: async (definition) => {
      if (!services.settings().mcpEnabled) return undefined;
      try {
        const running = await (server ??= start());
        definition.uri = running.kind === 'tcp' || !running.socketPath
          ? vscode.Uri.parse(running.url)
          : vscode.Uri.from({ scheme: running.kind, path: running.socketPath, fragment: '/mcp' });
        definition.headers = running.headers;
        return definition;
      } catch (error) {
        server = undefined;
        services.log.error(`Could not start the MCP server: ${(error as Error).message}`);
        throw error;
      }
    },
  };

  async function start(): Promise<ExtensionServer> {
    const policyUri = policyFileUri(services.settings());
    // Required by path so esbuild keeps it a separate file that activation never loads.
    const { startExtensionMcpServer } = require('./mcp.js') as typeof import('../mcp/bundle');
    const options: ExtensionServerOptions = {
      tokens: services.tokens,
      apps: services.credentials,
      endpoints: () => services.settings().endpoints,
      audit: services.audit,
      approver: askPerson,
      counterStore: {
        load: () => services.context.globalState.get<Record<string, number>>(COUNTERS_KEY),
        save: (snapshot) => void services.context.globalState.update(COUNTERS_KEY, snapshot),
      },
      policySource: policyUri?.fsPath ?? services.settings().policyFile,
      policyText: policyUri ? await readText(policyUri) : undefined,
      log: (line) => services.log.info(line),
      advice: adviceFor,
    };
    const running = await startExtensionMcpServer(options);
    if (policyUri) policyWatcher = watchPolicy(policyUri, running);
    return running;
  }

  function watchPolicy(uri: vscode.Uri, running: ExtensionServer): vscode.Disposable {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), uri.path.split('/').pop()!));
    const reload = async () => {
      const result = running.loadPolicy(await readText(uri));
      if (result.ok) {
        services.log.info(`MCP policy reloaded from ${uri.fsPath}`);
        return;
      }
      services.log.warn(`MCP policy ${uri.fsPath} is invalid; keeping the last good policy: ${result.error}`);
      const open = vscode.l10n.t('Open MCP Policy');
      const choice = await vscode.window.showWarningMessage(vscode.l10n.t('The MCP policy file has an error, so the last good policy stays in force: {0}', result.error), open);
      if (choice === open) await vscode.commands.executeCommand('dingtalkToken.openPolicy');
    };
    watcher.onDidChange(reload);
    watcher.onDidCreate(reload);
    watcher.onDidDelete(reload);
    return watcher;
  }

  subscriptions.push(
    vscode.lm.registerMcpServerDefinitionProvider(PROVIDER_ID, provider),
    services.credentials.onDidChangeApps(() => {
      appsVersion++;
      changed.fire();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('dingtalkToken.mcp.enabled')) changed.fire();
    }),
  );

  return {
    dispose: () => {
      for (const subscription of subscriptions) subscription.dispose();
      policyWatcher?.dispose();
      void server?.then((running) => running.close()).catch(() => undefined);
    },
  };
}

/** The `approve` action: a modal naming the tool and what it was asked to do; dismissing it denies. */
async function askPerson(request: { tool: string; argsSummary: string }): Promise<boolean> {
  const allow = vscode.l10n.t('Allow Once');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('An agent wants to call the DingTalk tool "{0}".', request.tool),
    { modal: true, detail: vscode.l10n.t('Arguments: {0}\n\nThe MCP policy asks you to approve each call of this tool.', request.argsSummary) },
    allow,
  );
  return choice === allow;
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}
