// The context keys the walkthrough and `when` clauses read, set through the commands api (test/support/fakeApis.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trackContextKeys } from '../../src/extension/contextKeys';
import type { McpProvider } from '../../src/extension/mcp/provider';
import { Emitter } from '../../src/extension/emitter';
import { addApp, harness } from '../support/fakeApis';

/** The last value each context key was set to. */
function contextKeys(executed: { id: string; args: unknown[] }[]): Record<string, unknown> {
  return Object.fromEntries(executed.filter(({ id }) => id === 'setContext').map(({ args }) => [String(args[0]), args[1]]));
}

function fakeMcp() {
  const changed = new Emitter<void>();
  let running = false;
  const mcp = { state: () => ({ running }), onDidChangeState: changed.event } as unknown as McpProvider;
  return {
    mcp,
    start: () => {
      running = true;
      changed.fire();
    },
  };
}

test('the walkthrough steps follow what the person reached: an app stored, a token fetched, the MCP server started', async () => {
  const h = await harness();
  const server = fakeMcp();
  const tracking = trackContextKeys(h.services, server.mcp);
  assert.deepEqual(contextKeys(h.apis.executed), { 'dingtalkToken.hasApp': false, 'dingtalkToken.hasToken': false, 'dingtalkToken.mcpRunning': false });

  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  assert.equal(contextKeys(h.apis.executed)['dingtalkToken.hasApp'], true);
  await h.services.tokens.getToken('dingalpha0000001');
  assert.equal(contextKeys(h.apis.executed)['dingtalkToken.hasToken'], true);
  server.start();
  assert.equal(contextKeys(h.apis.executed)['dingtalkToken.mcpRunning'], true);
  tracking.dispose();
});

test('a key is set again only when its value changes', async () => {
  const h = await harness();
  const tracking = trackContextKeys(h.services, fakeMcp().mcp);
  const before = h.apis.executed.length;
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  await addApp(h.services, 'dingbeta00000002', 'Beta');
  assert.deepEqual(
    h.apis.executed.slice(before).map(({ args }) => args),
    [['dingtalkToken.hasApp', true]],
  );
  tracking.dispose();
});
