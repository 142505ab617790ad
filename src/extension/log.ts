import * as vscode from 'vscode';
import type { Redactor } from '../core/redact';

/** The extension's log; every line passes through the window's redactor before it is written. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  show(): void;
}

export function createLog(redactor: Redactor): Log & vscode.Disposable {
  const channel = vscode.window.createOutputChannel('DingTalk Access Token', { log: true });
  return {
    info: (message) => channel.info(redactor.redact(message)),
    warn: (message) => channel.warn(redactor.redact(message)),
    error: (message) => channel.error(redactor.redact(message)),
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}
