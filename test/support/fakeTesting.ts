// Fakes of src/extension/apis/testing.apis.ts and of the files a workspace holds: the Testing view's items as a
// person would see them, the outcome of each run, and files a test writes (firing the watchers that match).
import type * as vscode from 'vscode';
import type { TestControllerHandle, TestingApis, TestRunHandle } from '../../src/extension/apis/testing.apis';
import type { Disposable } from '../../src/extension/emitter';

/** A file: URI at `path`, with what the extension reads of one. */
export function fakeUri(path: string): vscode.Uri {
  const uri = { scheme: 'file', path, fsPath: path, toString: () => `file://${path}`, with: (change: { path?: string }) => fakeUri(change.path ?? path) };
  return uri as unknown as vscode.Uri;
}

class FakeTestItems implements vscode.TestItemCollection {
  private readonly items = new Map<string, FakeTestItem>();
  constructor(private readonly parent: FakeTestItem | undefined) {}
  get size(): number {
    return this.items.size;
  }
  replace(items: readonly vscode.TestItem[]): void {
    this.items.clear();
    items.forEach((item) => this.add(item));
  }
  forEach(callback: (item: vscode.TestItem, collection: vscode.TestItemCollection) => unknown): void {
    this.items.forEach((item) => callback(item, this));
  }
  add(item: vscode.TestItem): void {
    (item as FakeTestItem).parent = this.parent;
    this.items.set(item.id, item as FakeTestItem);
  }
  delete(id: string): void {
    this.items.delete(id);
  }
  get(id: string): FakeTestItem | undefined {
    return this.items.get(id);
  }
  [Symbol.iterator](): Iterator<[id: string, testItem: vscode.TestItem]> {
    return this.items[Symbol.iterator]();
  }
  all(): FakeTestItem[] {
    return [...this.items.values()];
  }
}

export class FakeTestItem implements vscode.TestItem {
  readonly children: FakeTestItems = new FakeTestItems(this);
  parent: FakeTestItem | undefined;
  tags: readonly vscode.TestTag[] = [];
  canResolveChildren = false;
  busy = false;
  description: string | undefined;
  sortText: string | undefined;
  range: vscode.Range | undefined;
  error: string | vscode.MarkdownString | undefined;
  constructor(
    readonly id: string,
    public label: string,
    readonly uri: vscode.Uri | undefined,
  ) {}
  /** The 0-based line the item sits at in its file, as the Testing view and the gutter show it. */
  get line(): number | undefined {
    return this.range?.start.line;
  }
}

/** What one run reported, in order: each item by its label, and the message of each failure. */
export interface FakeTestRun extends TestRunHandle {
  readonly outcomes: { label: string; outcome: 'started' | 'passed' | 'failed' | 'errored'; message?: FakeTestMessage }[];
  ended: boolean;
}

/** A failure message as the Testing view shows it: its text, and the file and 0-based line it points at. */
export interface FakeTestMessage {
  message: string;
  at?: { path: string; line: number };
}

export class FakeTestController implements TestControllerHandle {
  readonly items = new FakeTestItems(undefined);
  readonly runs: FakeTestRun[] = [];
  private runHandler: ((request: vscode.TestRunRequest, cancel: vscode.CancellationToken) => void) | undefined;
  private refreshHandler: (() => Promise<void>) | undefined;
  disposed = false;

  constructor(
    readonly id: string,
    readonly label: string,
  ) {}

  createTestItem(id: string, label: string, uri?: vscode.Uri): vscode.TestItem {
    return new FakeTestItem(id, label, uri);
  }
  onRun(_label: string, handler: (request: vscode.TestRunRequest, cancel: vscode.CancellationToken) => void): void {
    this.runHandler = handler;
  }
  onRefresh(handler: () => Promise<void>): void {
    this.refreshHandler = handler;
  }
  createTestRun(): TestRunHandle {
    const outcomes: FakeTestRun['outcomes'] = [];
    // passed() takes a duration where failed() and errored() take the message.
    const record = (outcome: FakeTestRun['outcomes'][number]['outcome']) => (item: vscode.TestItem, message?: unknown) =>
      void outcomes.push({ label: item.label, outcome, message: typeof message === 'object' ? (message as FakeTestMessage) : undefined });
    const run: FakeTestRun = {
      outcomes,
      ended: false,
      started: record('started'),
      passed: record('passed'),
      failed: record('failed'),
      errored: record('errored'),
      end: () => void (run.ended = true),
    };
    this.runs.push(run);
    return run;
  }
  dispose(): void {
    this.disposed = true;
  }

  /** The person presses run on these items (every file when none is given); settles once the run has ended. */
  async run(...include: FakeTestItem[]): Promise<FakeTestRun> {
    const before = this.runs.length;
    const cancel = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose: () => undefined }) };
    if (!this.runHandler) throw new Error('no run profile: the Testing view would show no run button');
    this.runHandler({ include: include.length ? include : undefined } as vscode.TestRunRequest, cancel);
    for (;;) {
      const run = this.runs[before];
      if (run?.ended) return run;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  /** The person presses the view's refresh button. */
  refresh(): Promise<void> {
    return this.refreshHandler?.() ?? Promise.resolve();
  }
  /** The files shown, each with its cases. */
  files(): FakeTestItem[] {
    return this.items.all();
  }
}

export function fakeTestingApis(controllers: Map<string, FakeTestController>): TestingApis {
  return {
    createController: (id, label) => {
      const controller = new FakeTestController(id, label);
      controllers.set(id, controller);
      return controller;
    },
    lineStart: (line) => ({ start: { line, character: 0 }, end: { line, character: 0 } }) as unknown as vscode.Range,
    message: (text, at) => {
      const message: FakeTestMessage = { message: text };
      if (at) message.at = { path: at.uri.path, line: at.line };
      return message;
    },
  };
}

/** The workspace's files by path; writing or deleting one fires the watchers on its folder whose pattern matches. */
export class FakeFiles {
  readonly texts = new Map<string, string>();
  private readonly watchers = new Set<{ folder: string; pattern: RegExp; listener: () => void }>();

  async read(uri: vscode.Uri): Promise<string> {
    const text = this.texts.get(uri.path);
    if (text === undefined) throw Object.assign(new Error(`${uri.path} not found`), { code: 'FileNotFound' });
    return text;
  }
  write(path: string, text: string): void {
    this.texts.set(path, text);
    this.changed(path);
  }
  delete(path: string): void {
    this.texts.delete(path);
    this.changed(path);
  }
  watch(folder: vscode.Uri, pattern: string, listener: () => void): Disposable {
    const watcher = { folder: folder.path, pattern: globToRegExp(pattern), listener };
    this.watchers.add(watcher);
    return { dispose: () => void this.watchers.delete(watcher) };
  }
  private changed(path: string): void {
    const slash = path.lastIndexOf('/');
    for (const watcher of [...this.watchers]) if (watcher.folder === path.slice(0, slash) && watcher.pattern.test(path.slice(slash + 1))) watcher.listener();
  }
}

/** A file-name glob with `{a,b}` alternatives, as the policy tests watch their cases file. */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^$()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped.replace(/\{([^}]*)\}/g, (_, alternatives: string) => `(?:${alternatives.split(',').join('|')})`)}$`);
}
