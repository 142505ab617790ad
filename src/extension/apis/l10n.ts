import type * as vscode from 'vscode';

type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

/**
 * `l10n.t` for modules that must also load under node:test, where there is no `vscode` module: inside the
 * editor it is vscode.l10n.t; without it, the English message (the bundle's key) with its {n} filled in.
 * test/unit/l10n.test.ts finds the messages passed to it as it finds those passed to vscode.l10n.t.
 */
export const l10n: { t: Translate } = { t: translator() };

function translator(): Translate {
  try {
    return (require('vscode') as typeof vscode).l10n.t;
  } catch {
    return (message, ...args) => message.replace(/\{(\d+)\}/g, (match, index: string) => (index in args ? String(args[Number(index)]) : match));
  }
}
