// Fakes for the command variable, the terminal environment and the secret scan: a workspaceState, the trust
// switch, the EnvironmentVariableCollection as what a new terminal would get, and the workspace's files.
import { Emitter } from '../../src/extension/emitter';
import type { TerminalEnvironmentView, TrustApis } from '../../src/extension/apis/terminal.apis';
import type { WorkspaceMemento } from '../../src/extension/devenv/consent';
import type { DiagnosticsView, LineSpan, ScanProgress, SecretsApis, SpanDiagnostic, TextFile } from '../../src/extension/apis/secrets.apis';
import assert from 'node:assert/strict';

export class FakeMemento implements WorkspaceMemento {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
}

export class FakeTrust implements TrustApis {
  private readonly granted = new Emitter<void>();
  constructor(
    public isTrusted = true,
    public workspaceName: string | undefined = 'shop-service',
  ) {}
  onDidGrantTrust(listener: () => void) {
    return this.granted.event(listener);
  }
  grant(): void {
    this.isTrusted = true;
    this.granted.fire();
  }
}

/** The collection as a new terminal would see it, and how often it changed (each change marks open terminals stale). */
export class FakeTerminalEnvironment implements TerminalEnvironmentView {
  variables: Record<string, string> = {};
  description: string | undefined;
  changes = 0;
  replaceAll(variables: Record<string, string>, description: string): void {
    this.variables = { ...variables };
    this.description = description;
    this.changes++;
  }
  clear(): void {
    this.variables = {};
    this.description = undefined;
    this.changes++;
  }
}

/** The workspace as the secret scan sees it: files on disk, open documents, the Problems panel, edits and settings written. */
export class FakeSecretsApis implements SecretsApis {
  /** Files on disk by URI. */
  readonly disk = new Map<string, string | Uint8Array>();
  /** Open documents by URI (their text may differ from the disk's), and whether they have unsaved changes. */
  readonly open = new Map<string, { text: string; isDirty: boolean }>();
  readonly problems = new Map<string, SpanDiagnostic[]>();
  readonly settingsWritten: { key: string; value: unknown; where: string }[] = [];
  /** Edits applied, each one WorkspaceEdit. */
  readonly edits: { uri: string; spans: LineSpan[] }[] = [];
  cancelAfter = Infinity;
  folderOpen = true;
  private readonly changed = new Emitter<TextFile>();

  openDocuments(): TextFile[] {
    return [...this.open].map(([uri, { text }]) => ({ uri, fileName: uri, text }));
  }
  onDidOpenOrChange(listener: (file: TextFile) => void) {
    return this.changed.event(listener);
  }
  /** The person types into (or opens) a document. */
  type(uri: string, text: string): void {
    this.open.set(uri, { text, isDirty: this.open.has(uri) });
    this.changed.fire({ uri, fileName: uri, text });
  }
  createDiagnostics(): DiagnosticsView {
    return {
      set: (uri, list) => void this.problems.set(uri, list),
      delete: (uri) => void this.problems.delete(uri),
      clear: () => this.problems.clear(),
      dispose: () => this.problems.clear(),
    };
  }
  registerQuickFixes() {
    return { dispose: () => undefined };
  }
  async document(uri: string) {
    const open = this.open.get(uri);
    const text = open?.text ?? String(this.disk.get(uri) ?? '');
    return { uri, fileName: uri, text, isDirty: open?.isDirty ?? false };
  }
  async empty(uri: string, spans: readonly LineSpan[]): Promise<boolean> {
    const document = await this.document(uri);
    const lines = document.text.split('\n');
    // From the end backwards, so an earlier span on the same line keeps its place.
    for (const { line, start, end } of [...spans].sort((a, b) => b.line - a.line || b.start - a.start)) {
      const text = lines[line];
      assert.ok(text !== undefined, `line ${line} is in ${uri}`);
      lines[line] = text.slice(0, start) + text.slice(end);
    }
    this.edits.push({ uri, spans: [...spans] });
    this.open.set(uri, { text: lines.join('\n'), isDirty: true });
    return true;
  }
  async save(uri: string): Promise<boolean> {
    const open = this.open.get(uri);
    if (open) {
      this.disk.set(uri, open.text);
      open.isDirty = false;
    }
    return true;
  }
  async findFiles(exclude: string, max: number): Promise<string[]> {
    const excluded = /node_modules|\.git\//;
    assert.match(exclude, /node_modules/);
    return [...this.disk.keys()].filter((uri) => !excluded.test(uri)).slice(0, max);
  }
  async readFile(uri: string, maxBytes: number): Promise<Uint8Array | undefined> {
    const content = this.disk.get(uri);
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    return bytes && bytes.length <= maxBytes ? bytes : undefined;
  }
  async withCancellableProgress<T>(_title: string, task: (progress: ScanProgress) => Promise<T>): Promise<T> {
    let reports = 0;
    const cancelAfter = this.cancelAfter;
    return task({
      report: () => void reports++,
      get cancelled() {
        return reports >= cancelAfter;
      },
    });
  }
  async updateSetting(key: string, value: unknown, where: 'user' | 'workspace'): Promise<void> {
    this.settingsWritten.push({ key, value, where });
  }
  hasWorkspaceFolder(): boolean {
    return this.folderOpen;
  }
}
