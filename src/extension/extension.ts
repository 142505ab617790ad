import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { createApis } from './apis/apis';
import { start } from './activation';
import { registerPolicyTests } from './policyTests/policyTests';
import { createTerminalEnvironment, createTrustApis } from './apis/terminal.apis';
import { createSecretsApis } from './apis/secrets.apis';

/** VS Code's entry point: the real VS Code API behind the wrappers of apis/, then the extension itself (activation.ts). */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // Messages are worded through @vscode/l10n, so modules also load under node:test; here it gets VS Code's
  // bundle for the display language (none for English).
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const services = await start(context, createApis(context.extensionUri), {
    trust: createTrustApis(),
    terminal: createTerminalEnvironment(context.environmentVariableCollection),
    secrets: createSecretsApis(),
  });
  // The Testing view's policy cases speak VS Code's Testing API directly, so they join here, beside the wrappers.
  context.subscriptions.push(registerPolicyTests(services));
}
