import * as os from 'node:os';
import * as path from 'node:path';
import { FileCounterStore } from './file';
import { RedisCounterStore } from './redis';
import type { CounterStore } from './types';

/**
 * The store a setting names: empty → the file counterFilePath(stateDir) (one person's processes share it);
 * `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS) → Redis, shared by a team. Anything else is
 * refused with a message that never repeats a password.
 */
export function counterStoreFrom(setting: string | undefined, stateDir: string): CounterStore {
  const value = (setting ?? '').trim();
  if (value === '') return new FileCounterStore(counterFilePath(stateDir));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('The counter store must be empty (a file) or a redis:// or rediss:// URL.');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`The counter store must be a redis:// or rediss:// URL, not ${url.protocol}//.`);
  if (!url.hostname) throw new Error('The counter store URL names no Redis host.');
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw new Error('The counter store URL names a database that is not a number (redis://host:port/0).');
  return new RedisCounterStore(value);
}

/** Where the counters of every process of one person live when no Redis is set. */
export function counterFilePath(stateDir: string): string {
  return path.join(stateDir, 'counters.json');
}

/** DINGTALK_STATE_DIR, else $XDG_STATE_HOME/dingtalk-token, else ~/.local/state/dingtalk-token. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DINGTALK_STATE_DIR) return path.resolve(env.DINGTALK_STATE_DIR);
  const stateHome = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(os.homedir(), '.local', 'state');
  return path.join(stateHome, 'dingtalk-token');
}
