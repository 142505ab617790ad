// Fakes for the command variable and the terminal environment: a workspaceState, the trust switch, and the
// EnvironmentVariableCollection as what a new terminal would get.
import { Emitter } from '../../src/extension/emitter';
import type { TerminalEnvironmentView, TrustApis } from '../../src/extension/apis/terminal.apis';
import type { WorkspaceMemento } from '../../src/extension/devenv/consent';

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
