import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPolicyFile, samePolicyRead, type PolicyFileRead } from './read';
import { systemClock, type Clock } from '../../clock';

/**
 * Follows the policy file whatever happens to it or its folders: created later (even inside a `.vscode/`
 * that does not exist yet), changed, deleted, moved away or back, or a symlink whose target changes.
 *
 * A watch on the file's own folder dies with that folder and cannot start before it exists, so we watch
 * the nearest folder that does exist, and the folders the path resolves through (symlink targets), and
 * re-arm whenever those change. fs events are not delivered everywhere (network drives, some containers,
 * a watch limit reached), so a bounded poll re-reads the file as a fallback. Each check reads the file and
 * reports only real changes of what the policy engine would see.
 */

export interface PolicyWatchOptions {
  /** The fallback re-read interval; clamped to 250 ms … 60 s. */
  pollIntervalMs?: number;
  /** Events closer together than this become one check. */
  debounceMs?: number;
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Test hook: how a folder is watched (fs.watch by default); a watcher that never fires leaves only the poll. */
  watchFolder?: FolderWatch;
}

/** Watches one folder; `onEnd` when the watch dies (its folder gone, an OS error). */
export type FolderWatch = (folder: string, onEvent: () => void, onEnd: () => void) => { close(): void };

export const DEFAULT_POLICY_POLL_MS = 2000;
const DEFAULT_DEBOUNCE_MS = 100;
/** Symlink hops followed when collecting folders to watch, as the OS limits resolution (ELOOP). */
const MAX_LINK_HOPS = 40;

export class PolicyFileWatcher {
  /** Watched folders with the inode they had: a folder deleted and made again at the same path needs a new watch. */
  private folders = new Map<string, { watcher: { close(): void }; ino: number; ended: boolean }>();
  private debounce: unknown;
  private poll: unknown;
  private checking: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly pollIntervalMs: number;
  private readonly debounceMs: number;
  private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  private readonly watchFolder: FolderWatch;

  private constructor(
    readonly file: string,
    /** What the file holds now (as last read). */
    public current: PolicyFileRead,
    private readonly onChange: (read: PolicyFileRead) => void,
    options: PolicyWatchOptions,
  ) {
    this.pollIntervalMs = Math.min(60_000, Math.max(250, options.pollIntervalMs ?? DEFAULT_POLICY_POLL_MS));
    this.debounceMs = Math.min(5_000, Math.max(0, options.debounceMs ?? DEFAULT_DEBOUNCE_MS));
    this.clock = options.clock ?? systemClock;
    this.watchFolder = options.watchFolder ?? watchWithFs;
  }

  /** Starts watching `file` (absolute) and reads it once; `onChange` gets every later change. */
  static async open(file: string, onChange: (read: PolicyFileRead) => void, options: PolicyWatchOptions = {}): Promise<PolicyFileWatcher> {
    const watcher = new PolicyFileWatcher(path.resolve(file), { kind: 'missing' }, onChange, options);
    // Armed before the first read, so a change in between is seen.
    await watcher.arm();
    watcher.current = await readPolicyFile(watcher.file);
    watcher.schedulePoll();
    return watcher;
  }

  /** Re-reads the file now (after re-arming the watches) and reports a change; settles when done. */
  check(): Promise<void> {
    this.checking = this.checking
      .then(async () => {
        if (this.closed) return;
        await this.arm();
        const read = await readPolicyFile(this.file);
        if (this.closed || samePolicyRead(read, this.current)) return;
        this.current = read;
        this.onChange(read);
      })
      .catch(() => {
        // Whatever failed (a listener, the OS), the next event or poll checks again.
      });
    return this.checking;
  }

  /** Settles once every check asked for so far is done. */
  idle(): Promise<void> {
    return this.checking;
  }

  close(): void {
    this.closed = true;
    if (this.debounce !== undefined) this.clock.clearTimeout(this.debounce);
    this.clock.clearTimeout(this.poll);
    for (const { watcher } of this.folders.values()) watcher.close();
    this.folders.clear();
  }

  /** At most one check per `debounceMs`, however busy the watched folders are (a busy root never starves it). */
  private onEvent(): void {
    if (this.closed || this.debounce !== undefined) return;
    this.debounce = this.clock.setTimeout(() => {
      this.debounce = undefined;
      void this.check();
    }, this.debounceMs);
  }

  private schedulePoll(): void {
    if (this.closed) return;
    this.poll = this.clock.setTimeout(() => void this.check().then(() => this.schedulePoll()), this.pollIntervalMs);
  }

  /** Watches the folders the file's path goes through now; drops the ones it no longer does. */
  private async arm(): Promise<void> {
    const wanted = await foldersToWatch(this.file);
    if (this.closed) return;
    for (const [folder, watched] of this.folders) {
      if (watched.ended || wanted.get(folder) !== watched.ino) {
        watched.watcher.close();
        this.folders.delete(folder);
      }
    }
    for (const [folder, ino] of wanted) {
      if (this.folders.has(folder)) continue;
      try {
        const watched = { watcher: { close: () => undefined } as { close(): void }, ino, ended: false };
        watched.watcher = this.watchFolder(
          folder,
          () => this.onEvent(),
          () => {
            watched.ended = true;
            this.onEvent();
          },
        );
        this.folders.set(folder, watched);
      } catch {
        // Cannot watch (no permission, watch limit reached): the poll still covers it.
      }
    }
  }
}

/**
 * The nearest existing folder above the file, and the same for every symlink hop and the real path, so
 * an edit to a link's target (wherever it lives) and the creation of missing folders are both seen.
 */
async function foldersToWatch(file: string): Promise<Map<string, number>> {
  const folders = new Map<string, number>();
  const add = (found: { folder: string; ino: number } | undefined) => found && folders.set(found.folder, found.ino);
  let current = file;
  for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
    add(await nearestExistingFolder(path.dirname(current)));
    let target: string;
    try {
      target = await fs.promises.readlink(current);
    } catch {
      break;
    }
    current = path.resolve(path.dirname(current), target);
  }
  try {
    add(await nearestExistingFolder(path.dirname(await fs.promises.realpath(file))));
  } catch {
    // Missing or looping: the hops above cover what can be watched.
  }
  return folders;
}

async function nearestExistingFolder(folder: string): Promise<{ folder: string; ino: number } | undefined> {
  for (let current = folder; ; current = path.dirname(current)) {
    try {
      const stat = await fs.promises.stat(current);
      if (stat.isDirectory()) return { folder: current, ino: stat.ino };
    } catch {
      // Not there (yet): look one level up.
    }
    if (path.dirname(current) === current) return undefined;
  }
}

/** fs.watch on one folder; a watch that fails closes itself and says so, to be made again. */
const watchWithFs: FolderWatch = (folder, onEvent, onEnd) => {
  const watcher = fs.watch(folder, { persistent: false }, () => onEvent());
  watcher.on('error', () => {
    watcher.close();
    onEnd();
  });
  return watcher;
};
