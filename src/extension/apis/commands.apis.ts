import * as vscode from 'vscode';
import type { Disposable } from '../emitter';

/** Registering and running commands (vscode.commands). */
export interface CommandApis {
  register(id: string, handler: (...args: unknown[]) => unknown): Disposable;
  execute(id: string, ...args: unknown[]): Thenable<unknown>;
}

export function createCommandApis(): CommandApis {
  return {
    register: (id, handler) => vscode.commands.registerCommand(id, handler),
    execute: (id, ...args) => vscode.commands.executeCommand(id, ...args),
  };
}
