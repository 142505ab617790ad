import { Redis, type RedisOptions } from 'ioredis';
import { CounterStoreUnavailable, checkCharges, type CounterStore, type Reservation, type StoreCharge, type StoreState } from './types';

/**
 * Counters in Redis, shared by a team's servers on any machine: one key per counter and window, expiring with the
 * window, reserved by one Lua script (all charges or none, atomically). While Redis cannot be reached every
 * command fails at once (no offline queue), so limited calls are refused with the reason; ioredis reconnects by
 * itself and the next call after that works.
 */
export class RedisCounterStore implements CounterStore {
  private readonly client: Redis;
  private problem: string | undefined = 'not connected yet';

  constructor(
    url: string,
    readonly where: string = redisLocation(url),
  ) {
    this.client = new Redis(url, OPTIONS);
    this.client.on('ready', () => (this.problem = undefined));
    // Without a listener an 'error' event would end the process; the state carries it instead.
    this.client.on('error', (error: Error) => (this.problem = (error as NodeJS.ErrnoException).code ?? error.message));
    this.client.on('end', () => (this.problem ??= 'disconnected'));
  }

  async reserve(charges: readonly StoreCharge[]): Promise<Reservation> {
    checkCharges(charges);
    if (charges.length === 0) return { ok: true };
    const args = charges.flatMap((charge) => [String(charge.amount), String(charge.max ?? -1n), String(charge.expiresAt + EXPIRY_SLACK_MS)]);
    const [failed, count] = (await this.run(() => this.client.eval(RESERVE, charges.length, ...charges.map((charge) => redisKey(charge.slot)), ...args))) as [
      number,
      string,
    ];
    return failed === 0 ? { ok: true } : { ok: false, index: failed - 1, count: BigInt(count) };
  }

  async release(charges: readonly StoreCharge[]): Promise<void> {
    checkCharges(charges);
    if (charges.length === 0) return;
    await this.run(() =>
      this.client.eval(RELEASE, charges.length, ...charges.map((charge) => redisKey(charge.slot)), ...charges.map((charge) => String(charge.amount))),
    );
  }

  async read(slots: readonly string[]): Promise<bigint[]> {
    if (slots.length === 0) return [];
    const values = await this.run(() => this.client.mget(...slots.map(redisKey)));
    return values.map((value) => (value && /^\d+$/.test(value) ? BigInt(value) : 0n));
  }

  state(): StoreState {
    return { kind: 'redis', where: this.where, reachable: this.problem === undefined, ...(this.problem ? { problem: this.unreachable() } : {}) };
  }

  async close(): Promise<void> {
    this.client.disconnect(false);
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      this.problem ??= error instanceof Error ? error.message : String(error);
      throw new CounterStoreUnavailable(this.unreachable());
    }
  }

  private unreachable(): string {
    return `Redis at ${this.where} cannot be reached (${this.problem ?? 'unknown'}).`;
  }
}

const OPTIONS: RedisOptions = {
  // Fail at once while disconnected: a limited call is refused rather than left waiting.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 5_000,
  commandTimeout: 5_000,
  // Reconnect forever, backing off to one attempt every 5 s.
  retryStrategy: (attempt: number) => Math.min(attempt * 250, 5_000),
};

/** Keys outlive their window by a minute, so a clock a little behind still finds its count. */
const EXPIRY_SLACK_MS = 60_000;
const PREFIX = 'dingtalk-token:counter:';
const redisKey = (slot: string) => PREFIX + slot;

// ARGV per key: amount, max (-1: none), expire-at ms. Returns {0, '0'}, or {index of the first charge that does not
// fit (1-based), its count}. Lua numbers are doubles: counts are compared as decimal text of equal length, exactly.
const RESERVE = `
local function above(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
local function plus(a, b)
  local sum, carry, out = 0, 0, {}
  local i, j = #a, #b
  while i > 0 or j > 0 or carry > 0 do
    sum = carry + (i > 0 and tonumber(a:sub(i, i)) or 0) + (j > 0 and tonumber(b:sub(j, j)) or 0)
    table.insert(out, 1, tostring(sum % 10))
    carry = math.floor(sum / 10)
    i, j = i - 1, j - 1
  end
  local text = table.concat(out):gsub('^0+', '')
  return text == '' and '0' or text
end
for i = 1, #KEYS do
  local max = ARGV[(i - 1) * 3 + 2]
  if max ~= '-1' then
    local count = redis.call('GET', KEYS[i]) or '0'
    if above(plus(count, ARGV[(i - 1) * 3 + 1]), max) then return {i, count} end
  end
end
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], ARGV[(i - 1) * 3 + 1])
  redis.call('PEXPIREAT', KEYS[i], ARGV[(i - 1) * 3 + 3])
end
return {0, '0'}`;

// ARGV per key: amount. A count never goes below zero.
const RELEASE = `
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 and redis.call('DECRBY', KEYS[i], ARGV[i]) < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
end
return 0`;

/** `host:port/db` of a redis:// or rediss:// URL: what logs and views show, never the user or password. */
export function redisLocation(url: string): string {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '') || '0';
  return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}/${db}`;
}
