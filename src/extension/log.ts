import * as vscode from 'vscode';
import { redact } from '../core/redact';

/** The extension's log; every line passes through the one redaction helper before it is written. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  show(): void;
}

export function createLog(): Log & vscode.Disposable {
  const channel = vscode.window.createOutputChannel('DingTalk Access Token', { log: true });
  return {
    info: (message) => channel.info(redact(message)),
    warn: (message) => channel.warn(redact(message)),
    error: (message) => channel.error(redact(message)),
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}
