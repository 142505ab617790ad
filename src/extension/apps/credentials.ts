import type * as vscode from 'vscode';
import { Emitter, type Disposable } from '../emitter';
import type { AppDirectory, AppInfo } from '../../core/apps';
import type { CachedToken, TokenStore } from '../../core/tokens';

const APPS_KEY = 'dingtalkToken.apps';
const ACTIVE_KEY = 'dingtalkToken.activeApp';
const SECRET_PREFIX = 'dingtalkToken.secret.';
const TOKEN_PREFIX = 'dingtalkToken.token.';

/** The part of VS Code's SecretStorage the store uses (a fake in unit tests). */
export type Secrets = Pick<vscode.SecretStorage, 'get' | 'store' | 'delete' | 'onDidChange'>;

/**
 * Apps, their secrets and their cached tokens, all in SecretStorage (nothing in settings or globalState).
 * SecretStorage is shared by the editor's windows, so its change event doubles as cross-window sync.
 */
export class CredentialStore implements AppDirectory, Disposable {
  private apps: AppInfo[] = [];
  private active: string | undefined;
  private readonly appsChanged = new Emitter<void>();
  private readonly tokenChanged = new Emitter<string>();
  private readonly subscription: Disposable;

  /** Fires when the app list or the active app changed, here or in another window. */
  readonly onDidChangeApps = this.appsChanged.event;
  /** Fires with an appKey when its stored token changed (usually another window refreshed it). */
  readonly onDidChangeStoredToken = this.tokenChanged.event;

  readonly tokenStore: TokenStore = {
    load: async (appKey) => parseToken(await this.secrets.get(TOKEN_PREFIX + appKey)),
    save: async (appKey, token) => {
      // A token of an app removed meanwhile must not come back.
      if (this.apps.some((app) => app.appKey === appKey)) await this.secrets.store(TOKEN_PREFIX + appKey, JSON.stringify(token));
    },
  };

  private constructor(private readonly secrets: Secrets) {
    this.subscription = secrets.onDidChange((event) => void this.onSecretChanged(event.key));
  }

  static async open(secrets: Secrets): Promise<CredentialStore> {
    const store = new CredentialStore(secrets);
    await store.reload();
    return store;
  }

  list(): AppInfo[] {
    return [...this.apps];
  }

  activeAppKey(): string | undefined {
    return this.active;
  }

  activeApp(): AppInfo | undefined {
    return this.apps.find((app) => app.appKey === this.active);
  }

  async secretFor(appKey: string): Promise<string | undefined> {
    return this.secrets.get(SECRET_PREFIX + appKey);
  }

  /** Stores an app (already checked with DingTalk); it becomes the active one unless `activate` is false and one is active. */
  async add(app: AppInfo, appSecret: string, { activate = true }: { activate?: boolean } = {}): Promise<void> {
    await this.secrets.store(SECRET_PREFIX + app.appKey, appSecret);
    this.apps = [...this.apps.filter((known) => known.appKey !== app.appKey), app];
    if (activate || !this.active) this.active = app.appKey;
    await this.saveApps();
  }

  async setActive(appKey: string): Promise<void> {
    if (this.active === appKey) return;
    this.active = appKey;
    await this.secrets.store(ACTIVE_KEY, appKey);
    this.appsChanged.fire();
  }

  /** A new label only: the secret and the cached token stay as they are. */
  async rename(appKey: string, label: string): Promise<void> {
    this.apps = this.apps.map((app) => (app.appKey === appKey ? { ...app, label } : app));
    await this.saveApps();
  }

  async remove(appKey: string): Promise<void> {
    this.apps = this.apps.filter((app) => app.appKey !== appKey);
    if (this.active === appKey) this.active = this.apps[0]?.appKey;
    await this.secrets.delete(SECRET_PREFIX + appKey);
    await this.secrets.delete(TOKEN_PREFIX + appKey);
    await this.saveApps();
  }

  dispose(): void {
    this.subscription.dispose();
    this.appsChanged.dispose();
    this.tokenChanged.dispose();
  }

  private async saveApps(): Promise<void> {
    await this.secrets.store(APPS_KEY, JSON.stringify(this.apps));
    if (this.active) await this.secrets.store(ACTIVE_KEY, this.active);
    else await this.secrets.delete(ACTIVE_KEY);
    this.appsChanged.fire();
  }

  private async reload(): Promise<boolean> {
    const apps = parseApps(await this.secrets.get(APPS_KEY));
    const storedActive = await this.secrets.get(ACTIVE_KEY);
    const active = apps.some((app) => app.appKey === storedActive) ? storedActive : apps[0]?.appKey;
    const changed = JSON.stringify(apps) !== JSON.stringify(this.apps) || active !== this.active;
    this.apps = apps;
    this.active = active;
    return changed;
  }

  private async onSecretChanged(key: string): Promise<void> {
    if (key === APPS_KEY || key === ACTIVE_KEY) {
      // Our own writes come back here too; only a real difference is news.
      if (await this.reload()) this.appsChanged.fire();
    } else if (key.startsWith(TOKEN_PREFIX)) {
      this.tokenChanged.fire(key.slice(TOKEN_PREFIX.length));
    }
  }
}

function parseApps(text: string | undefined): AppInfo[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((app: Partial<AppInfo> | null): app is AppInfo => typeof app?.appKey === 'string' && typeof app?.label === 'string');
  } catch {
    return [];
  }
}

function parseToken(text: string | undefined): CachedToken | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<CachedToken>;
    if (typeof parsed.accessToken === 'string' && typeof parsed.expiresAt === 'number' && typeof parsed.obtainedAt === 'number') {
      return { accessToken: parsed.accessToken, expiresAt: parsed.expiresAt, obtainedAt: parsed.obtainedAt };
    }
  } catch {
    // A damaged entry is the same as none: the next fetch overwrites it.
  }
  return undefined;
}
