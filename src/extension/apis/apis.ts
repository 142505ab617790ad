import type * as vscode from 'vscode';
import { createCommandApis, type CommandApis } from './commands.apis';
import { createEnvApis, type EnvApis } from './env.apis';
import { createLmApis, type LmApis } from './lm.apis';
import { createWebviewApis, type WebviewApis } from './webview.apis';
import { createTestingApis, type TestingApis } from './testing.apis';
import { createTreeApis, type TreeApis } from './tree.apis';
import { createWindowApis, type WindowApis } from './window.apis';
import { createWorkspaceApis, type WorkspaceApis } from './workspace.apis';

/**
 * The VS Code API as the extension's modules use it (commands, credential flow, MCP provider, inspect view,
 * status bar, DingTalk view, log, settings, context keys, policy tests): those modules import `vscode` for types only and reach it at run time through the *.apis.ts files beside this one,
 * each narrowed to what the extension needs, so unit tests hand in fakes (test/support/fakeApis.ts).
 * Translations go through @vscode/l10n, which activate() hands VS Code's bundle.
 */
export interface Apis {
  window: WindowApis;
  env: EnvApis;
  commands: CommandApis;
  workspace: WorkspaceApis;
  lm: LmApis;
  webview: WebviewApis;
  tree: TreeApis;
  testing: TestingApis;
}

export function createApis(extensionUri: vscode.Uri): Apis {
  return {
    window: createWindowApis(),
    env: createEnvApis(),
    commands: createCommandApis(),
    workspace: createWorkspaceApis(),
    lm: createLmApis(),
    webview: createWebviewApis(extensionUri),
    tree: createTreeApis(),
    testing: createTestingApis(),
  };
}
