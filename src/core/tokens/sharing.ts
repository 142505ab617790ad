/**
 * Cross-window sharing: the windows of one editor hand each other tokens through a shared store, so a token one
 * window fetched saves the others a request. The store's shape, publishing the tokens we fetch and judging the
 * ones other windows stored all live here.
 */
import type { Clock } from '../clock';
import { isValid, outlives } from './refreshRules';
import type { AppEntry, CachedToken } from './model';

/** Persistence shared by the editor's windows (SecretStorage in the extension). */
export interface TokenStore {
  load(appKey: string): Promise<CachedToken | undefined>;
  save(appKey: string, token: CachedToken): Promise<void>;
}

export class SharedTokens {
  constructor(
    private readonly store: TokenStore | undefined,
    private readonly clock: Clock,
  ) {}

  /** Offers a token this window fetched to the others; a failed write only costs them a fetch of their own. */
  publish(appKey: string, token: CachedToken): void {
    this.store?.save(appKey, token).catch(() => undefined);
  }

  /**
   * Before fetching: the token another window stored, when it outlives the app's and `goodEnough` accepts it.
   * An unreadable store counts as an empty one.
   */
  async findBetter(entry: AppEntry, goodEnough: (stored: CachedToken, now: number) => boolean): Promise<CachedToken | undefined> {
    const stored = await this.load(entry.appKey);
    if (!stored || !outlives(stored, entry.token)) return undefined;
    return goodEnough(stored, this.clock.now()) ? stored : undefined;
  }

  /**
   * After another window announced a new token: the stored one, when it is valid, not the one `held` returns
   * (read after loading), and lives longer. Taking it twice changes nothing.
   */
  async findAnnounced(appKey: string, held: () => CachedToken | undefined): Promise<CachedToken | undefined> {
    const stored = await this.load(appKey);
    if (!isValid(stored, this.clock.now())) return undefined;
    const current = held();
    return stored.accessToken !== current?.accessToken && outlives(stored, current) ? stored : undefined;
  }

  private async load(appKey: string): Promise<CachedToken | undefined> {
    if (!this.store) return undefined;
    try {
      return await this.store.load(appKey);
    } catch {
      return undefined;
    }
  }
}
