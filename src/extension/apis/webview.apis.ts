import * as vscode from 'vscode';
import type { Disposable } from '../emitter';

/** Webview panels showing the extension's media/ and its built webview scripts (vscode.window.createWebviewPanel). */
export interface WebviewApis {
  /** A panel in the active column, scripts on, only files of media/ and dist/webview/ loadable, the extension's icon on its tab. */
  createPanel(viewType: string, title: string): PanelView;
}

/** One panel, narrowed to what the inspect view does with it. */
export interface PanelView {
  title: string;
  /** The panel's page; set once. */
  html: string;
  /** What the page's Content-Security-Policy names to allow the panel's own files. */
  readonly cspSource: string;
  /** A file of media/ or dist/webview/, by its path in the extension (e.g. "media/inspect.css"), as the page may load it. */
  asset(path: string): string;
  postMessage(message: unknown): Thenable<boolean>;
  onDidReceiveMessage(listener: (message: unknown) => void): Disposable;
  onDidDispose(listener: () => void): Disposable;
  reveal(): void;
  dispose(): void;
}

export function createWebviewApis(extensionUri: vscode.Uri): WebviewApis {
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  // The inspect view's script is built from src/webview into dist/webview (scripts/bundles.mjs).
  const scripts = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  return {
    createPanel: (viewType, title) => {
      const panel = vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [media, scripts] });
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
        asset: (path) => panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, path)).toString(),
        postMessage: (message) => panel.webview.postMessage(message),
        onDidReceiveMessage: (listener) => panel.webview.onDidReceiveMessage(listener),
        onDidDispose: (listener) => panel.onDidDispose(listener),
        reveal: () => panel.reveal(),
        dispose: () => {
          panel.dispose();
        },
      };
    },
  };
}
