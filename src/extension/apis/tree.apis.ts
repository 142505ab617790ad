import * as vscode from 'vscode';

/** Tree views of the DingTalk view container and their rows (vscode.window.createTreeView, vscode.TreeItem). */
export interface TreeApis {
  createTreeView<T>(id: string, options: vscode.TreeViewOptions<T>): TreeViewHandle;
  /** A row; it starts collapsed or expanded only when it has children to show. */
  item(label: string, children?: 'none' | 'collapsed' | 'expanded'): vscode.TreeItem;
}

export type TreeViewHandle = Pick<vscode.TreeView<unknown>, 'visible' | 'onDidChangeVisibility' | 'dispose'>;

const COLLAPSIBLE = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

export function createTreeApis(): TreeApis {
  return {
    createTreeView: (id, options) => vscode.window.createTreeView(id, options),
    item: (label, children) => new vscode.TreeItem(label, children === undefined ? undefined : COLLAPSIBLE[children]),
  };
}
