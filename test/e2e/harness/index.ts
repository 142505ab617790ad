// The end-to-end harness, split by job: processes.ts (pids, ports), codeServer.ts (the VS Code under test),
// session.ts (one session and its page objects), fixture.ts (the emulator and VS Code a test file starts
// with), and one page object per part of the workbench.
export { type StartOptions } from './codeServer';
export { assertCountdownNear, assertRowCountdownNear, countdownSeconds } from './countdown';
export { DingTalkView } from './dingTalkView';
export { closeSession, SESSION_START_TIMEOUT, startSession, type SessionOptions } from './fixture';
export { type QuickPickEntry } from './quickInput';
export { startVSCode, VSCodeSession, type StartTimings } from './session';
export { type StatusBarItem } from './statusBar';
