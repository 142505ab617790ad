/** The part of VS Code's workspaceState the consent uses (a Map in unit tests). */
export interface WorkspaceMemento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

const ALLOWED_APPS_KEY = 'dingtalkToken.tokenAccess.allowedApps';
/** A workspace allowed more apps than this is holding junk; the list is cut rather than grown. */
const MAX_ALLOWED_APPS = 100;

/**
 * The apps whose token this workspace's tasks and launch configurations may take without asking, kept in
 * workspaceState (so per workspace): only AppKeys, never a token.
 */
export class TokenAccessConsent {
  constructor(private readonly memento: WorkspaceMemento) {}

  isAllowed(appKey: string): boolean {
    return this.allowedApps().includes(appKey);
  }

  async allow(appKey: string): Promise<void> {
    if (this.isAllowed(appKey)) return;
    await this.memento.update(ALLOWED_APPS_KEY, [...this.allowedApps(), appKey].slice(-MAX_ALLOWED_APPS));
  }

  /** Forgets every app allowed here; returns how many there were. */
  async revokeAll(): Promise<number> {
    const count = this.allowedApps().length;
    await this.memento.update(ALLOWED_APPS_KEY, undefined);
    return count;
  }

  /** A stored value of the wrong shape allows nothing. */
  allowedApps(): string[] {
    const stored = this.memento.get<unknown>(ALLOWED_APPS_KEY);
    return Array.isArray(stored) ? stored.filter((appKey): appKey is string => typeof appKey === 'string').slice(0, MAX_ALLOWED_APPS) : [];
  }
}
