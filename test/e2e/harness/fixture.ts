// What each end-to-end file starts with: the DingTalk emulator holding the test's apps, and a VS Code with
// the packaged .vsix whose DingTalk settings point at that emulator.
import * as path from 'node:path';
import { DingTalkEmulator, type EmulatorApp } from '../../emulator/emulator';
import type { StartOptions } from './codeServer';
import { startVSCode, type VSCodeSession } from './session';

const DEFAULT_VSIX = path.join(__dirname, '..', '..', '..', '..', 'dingtalk-token.vsix');

export interface SessionOptions extends Omit<StartOptions, 'vsixPath'> {
  /** The apps the emulator knows (their appKey/appSecret are what the person types). */
  apps?: EmulatorApp[];
  /** An emulator the test started itself (e.g. behind a proxy); otherwise one is started with `apps`. */
  emulator?: DingTalkEmulator;
  /** More .vsix files to install beside ours (a helper extension that plays an agent, say). */
  extraVsix?: string[];
}

/** Starts the emulator and VS Code; settings given here override the emulator's base URLs. */
export async function startSession(options: SessionOptions = {}): Promise<{ emulator: DingTalkEmulator; vscode: VSCodeSession }> {
  const { apps, emulator: given, settings, extraVsix = [], ...start } = options;
  const emulator = given ?? (await DingTalkEmulator.start({ apps }));
  try {
    const vscode = await startVSCode({
      timeoutMs: 180_000,
      ...start,
      vsixPath: [process.env.DINGTALK_VSIX ?? DEFAULT_VSIX, ...extraVsix],
      settings: { 'dingtalkToken.apiBaseUrl': emulator.apiBaseUrl, 'dingtalkToken.legacyApiBaseUrl': emulator.legacyApiBaseUrl, ...settings },
    });
    return { emulator, vscode };
  } catch (err) {
    if (!given) await emulator.close();
    throw err;
  }
}

/** Ends whatever startSession started; safe when it failed half-way. */
export async function closeSession(vscode: VSCodeSession | undefined, emulator: DingTalkEmulator | undefined): Promise<void> {
  await vscode?.close();
  await emulator?.close();
}

/** How long a file's `before` may take: VS Code's start-up budget plus the extension's first render. */
export const SESSION_START_TIMEOUT = 240_000;
