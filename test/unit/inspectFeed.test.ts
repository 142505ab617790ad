import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditTrail, type AuditEvent } from '../../src/core/audit';
import { TokenManager } from '../../src/core/tokens/manager';
import { Redactor } from '../../src/core/redact';
import { followInspectSources } from '../../src/extension/inspect/feed';
import { FakeClock } from '../support/fakeClock';

const EVENT: AuditEvent = {
  time: '2026-11-22T00:00:00.000Z',
  tool: 'token_status',
  decision: 'allow',
  rule: 'default:allow',
  durationMs: 1,
  argsSha256: '0'.repeat(64),
};

test('each inspect panel listens only while it is open; closed panels leave no listeners', async () => {
  const clock = new FakeClock();
  const tokens = new TokenManager({
    clock,
    autoRefresh: false,
    redactor: new Redactor(),
    fetcher: async () => ({ accessToken: 'token-value-1234', expiresInSeconds: 7200 }),
  });
  const appListeners = new Set<() => void>();
  const credentials = {
    onDidChangeApps: (listener: () => void) => {
      appListeners.add(listener);
      return { dispose: () => void appListeners.delete(listener) };
    },
  };
  const audit = new AuditTrail();
  const sources = { tokens, credentials, audit };

  // Ten panels opened and closed one after another.
  let stale = 0;
  for (let panel = 0; panel < 10; panel++) followInspectSources(sources, () => stale++).dispose();
  let open = 0;
  const current = followInspectSources(sources, () => open++);

  audit.record(EVENT);
  await tokens.getToken('app');
  for (const listener of appListeners) listener();
  assert.equal(stale, 0, 'closed panels were not updated');
  assert.ok(open >= 3, `the open panel follows tokens, apps and tool calls (updated ${open} times)`);
  assert.equal(appListeners.size, 1);

  current.dispose();
  const before = open;
  audit.record(EVENT);
  tokens.forget('app');
  assert.equal(open, before);
  assert.equal(appListeners.size, 0);
  tokens.dispose();
});
