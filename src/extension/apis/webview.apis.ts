import * as vscode from 'vscode';
import type { Disposable } from '../emitter';

/** Webview panels showing the extension's media folder (vscode.window.createWebviewPanel). */
export interface WebviewApis {
  /** A panel in the active column, scripts on, only files of media/ loadable, the extension's icon on its tab. */
  createPanel(viewType: string, title: string): PanelView;
}

/** One panel, narrowed to what the inspect view does with it. */
export interface PanelView {
  title: string;
  /** The panel's page; set once. */
  html: string;
  /** What the page's Content-Security-Policy names to allow the panel's own files. */
  readonly cspSource: string;
  /** A file of media/ as the page may load it. */
  asset(name: string): string;
  postMessage(message: unknown): Thenable<boolean>;
  onDidReceiveMessage(listener: (message: unknown) => void): Disposable;
  onDidDispose(listener: () => void): Disposable;
  reveal(): void;
  dispose(): void;
}

export function createWebviewApis(extensionUri: vscode.Uri): WebviewApis {
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  return {
    createPanel: (viewType, title) => {
      const panel = vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [media] });
      panel.iconPath = vscode.Uri.joinPath(media, 'icon.png');
      return {
        get title() {
          return panel.title;
        },
        set title(value: string) {
          panel.title = value;
        },
        get html() {
          return panel.webview.html;
        },
        set html(value: string) {
          panel.webview.html = value;
        },
        cspSource: panel.webview.cspSource,
        asset: (name) => panel.webview.asWebviewUri(vscode.Uri.joinPath(media, name)).toString(),
        postMessage: (message) => panel.webview.postMessage(message),
        onDidReceiveMessage: (listener) => panel.webview.onDidReceiveMessage(listener),
        onDidDispose: (listener) => panel.onDidDispose(listener),
        reveal: () => panel.reveal(),
        dispose: () => panel.dispose(),
      };
    },
  };
}
