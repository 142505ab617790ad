import * as l10n from '@vscode/l10n';
import type { Redactor } from '../core/redact';
import type { WindowApis } from './apis/window.apis';
import type { Disposable } from './emitter';

/** The extension's log; every line passes through the window's redactor before it is written. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  show(): void;
}

export function createLog(redactor: Redactor, window: Pick<WindowApis, 'createLogChannel'>): Log & Disposable {
  // The product's name in the person's language, as the Extensions view and the settings show it.
  const channel = window.createLogChannel(l10n.t('DingTalk Access Token'));
  return {
    info: (message) => channel.info(redactor.redact(message)),
    warn: (message) => channel.warn(redactor.redact(message)),
    error: (message) => channel.error(redactor.redact(message)),
    show: () => channel.show(),
    dispose: () => channel.dispose(),
  };
}
