import * as vscode from 'vscode';

/** The clipboard, the browser and the display language (vscode.env), for modules unit-tested without VS Code. */
export interface EnvApis {
  writeClipboard(text: string): Thenable<void>;
  openExternal(url: string): Thenable<boolean>;
  /** VS Code's display language, e.g. "en" or "zh-cn", for dates and times. */
  readonly language: string;
}

export function createEnvApis(): EnvApis {
  return {
    writeClipboard: (text) => vscode.env.clipboard.writeText(text),
    openExternal: (url) => vscode.env.openExternal(vscode.Uri.parse(url)),
    get language() {
      return vscode.env.language;
    },
  };
}
