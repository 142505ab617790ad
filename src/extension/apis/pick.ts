// Quick picks as plain data, so the commands build them and unit tests read them without `vscode`;
// window.apis.ts turns them into a vscode.QuickPick.

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  /** A codicon name, shown before the label (keeps labels aligned, unlike a text prefix). */
  icon?: string;
  /** Buttons on the row; pressing one closes the pick with its id. */
  buttons?: PickButton[];
  value: T;
}

interface PickButton {
  id: string;
  icon: string;
  tooltip: string;
}

/** A separator line, with a label when it starts a group. */
export interface PickSeparator {
  separator: string;
}

export type PickEntry<T> = PickItem<T> | PickSeparator;

export interface PickOptions {
  title: string;
  placeholder?: string;
}

export interface Picked<T> {
  value: T;
  /** The id of the item button pressed; absent when the item itself was chosen. */
  button?: string;
}

export function isSeparator<T>(entry: PickEntry<T>): entry is PickSeparator {
  return 'separator' in entry;
}
