import { CounterStoreUnavailable, counterFilePath, type CounterStore, type StoreCharge, type StoreState } from '../../core/policy';
import { Emitter, type Disposable } from '../emitter';

/** What the window's counter store needs from the extension. */
export interface WindowStoreHost {
  /** dingtalkToken.mcp.counterStore as the person set it: '' for a file in `stateDir`, or a redis:// URL. */
  setting(): string;
  /** The extension's global storage folder: one per person, shared by every window. */
  stateDir: string;
  /** Builds the store a setting names (counterStoreFrom, from dist/mcp.js: loaded only once counters are needed); throws on a bad one. */
  open(setting: string, stateDir: string): CounterStore;
  /** The URL to open: a Redis password moved to SecretStorage, or taken back from it. */
  resolveUrl?(setting: string): Promise<string>;
}

const SETTING = 'dingtalkToken.mcp.counterStore';

/**
 * This window's one counter store: the MCP policy's limits and robot sends count in it, so every window of this
 * person (a file in global storage) or of the team (Redis) shares one count. It opens when first needed, follows the
 * setting (the store it names replaces the old one, which is closed), and a setting that names no usable store gives
 * a store that refuses every count with the reason: limited calls and robot sends are refused (fail closed).
 */
export class WindowCounterStore implements CounterStore, Disposable {
  private active: { setting: string; url: string; store: CounterStore } | undefined;
  private switching: Promise<CounterStore> | undefined;
  private closed = false;
  private readonly changed = new Emitter<void>();
  /** Fires when another store took over (the setting changed): what `state()` says changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly host: WindowStoreHost) {}

  /** Opens the store the setting names now (if not open already); settles once it is in use. */
  async ready(): Promise<void> {
    await this.current();
  }

  /** Another store named: opened now (the old one closed), so the view shows it before the next call counts. */
  settingsChanged(): void {
    this.current().catch(() => undefined);
  }

  async reserve(charges: readonly StoreCharge[]) {
    return (await this.current()).reserve(charges);
  }

  async release(charges: readonly StoreCharge[]): Promise<void> {
    return (await this.current()).release(charges);
  }

  async read(slots: readonly string[]): Promise<bigint[]> {
    return (await this.current()).read(slots);
  }

  /** The store in use; before anything opened it, the one the setting names, as yet untried. */
  state(): StoreState {
    if (this.active) return this.active.store.state();
    const setting = this.host.setting().trim();
    return setting === '' ? { kind: 'file', where: counterFilePath(this.host.stateDir), reachable: true } : { kind: 'redis', where: SETTING, reachable: true };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.changed.dispose();
    const active = this.active;
    this.active = undefined;
    await active?.store.close();
  }

  dispose(): void {
    void this.close();
  }

  /** The store for the setting as it is now, opened (and the old one closed) when the setting changed. */
  private current(): Promise<CounterStore> {
    if (this.closed) return Promise.reject(new CounterStoreUnavailable('The counter store is closed: this window is closing.'));
    const setting = this.host.setting();
    if (this.active?.setting === setting) return Promise.resolve(this.active.store);
    // Calls arriving while the store is switched wait for the same switch.
    this.switching ??= this.switchTo(setting).finally(() => (this.switching = undefined));
    return this.switching;
  }

  private async switchTo(setting: string): Promise<CounterStore> {
    let url: string;
    try {
      url = this.host.resolveUrl ? await this.host.resolveUrl(setting) : setting;
    } catch (error) {
      return this.use(setting, setting, refusingStore(`${SETTING}: the Redis password could not be read from SecretStorage (${messageOf(error)}).`));
    }
    // The password moved to SecretStorage rewrites the setting without it: the same store, kept open.
    if (this.active && this.active.url === url) {
      this.active = { ...this.active, setting };
      return this.active.store;
    }
    let store: CounterStore;
    try {
      store = this.host.open(url, this.host.stateDir);
    } catch (error) {
      store = refusingStore(`${SETTING}: ${messageOf(error)}`);
    }
    return this.use(setting, url, store);
  }

  private use(setting: string, url: string, store: CounterStore): CounterStore {
    const previous = this.active;
    if (this.closed) {
      void store.close();
      throw new CounterStoreUnavailable('The counter store is closed: this window is closing.');
    }
    this.active = { setting, url, store };
    if (previous) {
      void previous.store.close().catch(() => undefined);
      this.changed.fire();
    }
    return store;
  }
}

/** A store that cannot be used: every count is refused with `problem`, which never holds the setting's value (it may hold a password). */
function refusingStore(problem: string): CounterStore {
  const refuse = async (): Promise<never> => {
    throw new CounterStoreUnavailable(problem);
  };
  return {
    reserve: refuse,
    release: refuse,
    read: refuse,
    state: () => ({ kind: 'redis', where: SETTING, reachable: false, problem }),
    close: async () => undefined,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
