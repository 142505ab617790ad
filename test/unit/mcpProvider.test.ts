// The MCP server definition VS Code is offered, below the UI: registered on fake apis (test/support/fakeApis.ts);
// resolving it starts the real in-process server from src/mcp/bundle.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as vscode from 'vscode';
import { registerMcpProvider } from '../../src/extension/mcp/provider';
import { addApp, harness } from '../support/fakeApis';

const PROVIDER_ID = 'dingtalkToken.mcp';
import * as serverBundle from '../../src/mcp/bundle';

test('the definition names the server and changes version when the apps change', async () => {
  const h = await harness();
  const provider = registerMcpProvider(h.services, () => serverBundle);
  const server = h.apis.mcpServers.get(PROVIDER_ID);
  assert.ok(server, 'registered under the id package.json declares');
  let changes = 0;
  server.onDidChange(() => void changes++);

  assert.deepEqual(server.definition(), { label: 'DingTalk Access Token', version: '0.1.0.0' });
  await addApp(h.services, 'dingalpha0000001', 'Alpha');
  assert.equal(changes, 1, 'VS Code is told to ask again when the apps change');
  assert.deepEqual(server.definition(), { label: 'DingTalk Access Token', version: '0.1.0.1' });
  provider.dispose();
  assert.equal(h.apis.mcpServers.size, 0, 'disposing unregisters it');
});

test('turning dingtalkToken.mcp.enabled off and on fires a change; off, no server is offered', async () => {
  const h = await harness();
  const provider = registerMcpProvider(h.services, () => serverBundle);
  const server = h.apis.mcpServers.get(PROVIDER_ID)!;
  let changes = 0;
  server.onDidChange(() => void changes++);

  h.settings = { ...h.settings, mcpEnabled: false };
  provider.configurationChanged();
  assert.equal(changes, 1);
  assert.equal(server.definition(), undefined);
  assert.equal(await server.resolve(), undefined, 'nothing starts while it is off');

  h.settings = { ...h.settings, refreshMarginMs: 600_000 };
  provider.configurationChanged();
  assert.equal(changes, 1, 'a setting that does not turn it on or off changes no definition');

  h.settings = { ...h.settings, mcpEnabled: true };
  provider.configurationChanged();
  assert.equal(changes, 2);
  assert.ok(server.definition());
  provider.dispose();
});

test('resolving starts the server: an address and headers, with no appSecret or access token in the definition', async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'dingtalk-mcp-provider-'));
  const h = await harness();
  h.apis.workspace.policyFile = (settings) =>
    ({ scheme: 'file', fsPath: path.join(folder, settings.policyFile), toString: () => path.join(folder, settings.policyFile) }) as vscode.Uri;
  const appSecret = 'provider-test-app-secret-42';
  await addApp(h.services, 'dingalpha0000001', 'Alpha', appSecret);
  h.fetch = async () => ({ accessToken: 'provider-test-access-token-0123', expiresInSeconds: 7200 });
  await h.services.tokens.getToken('dingalpha0000001');
  const provider = registerMcpProvider(h.services, () => serverBundle);
  try {
    const server = h.apis.mcpServers.get(PROVIDER_ID)!;
    const address = await server.resolve();
    assert.ok(address, 'the server runs');
    assert.ok(['tcp', 'unix', 'pipe'].includes(address.kind));
    assert.ok(address.kind !== 'tcp' || /^http:\/\/127\.0\.0\.1:\d+\/mcp$/.test(address.url), `a loopback URL: ${address.url}`);
    assert.ok(Object.keys(address.headers).length > 0, 'the server asks for a per-session credential of its own');
    const offered = JSON.stringify({ definition: server.definition(), address });
    assert.doesNotMatch(offered, new RegExp(appSecret), 'the appSecret never leaves the extension host');
    assert.doesNotMatch(offered, /provider-test-access-token/, 'neither does the access token');
    assert.equal(provider.state().running, true, 'the DingTalk view sees it running');
  } finally {
    provider.dispose();
    rmSync(folder, { recursive: true, force: true });
  }
});

test("the running server counts in the window's store and follows a changed dingtalkToken.mcp.counterStore without a restart", async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'dingtalk-mcp-provider-'));
  const h = await harness();
  h.apis.workspace.policyFile = (settings) =>
    ({ scheme: 'file', fsPath: path.join(folder, settings.policyFile), toString: () => path.join(folder, settings.policyFile) }) as vscode.Uri;
  const provider = registerMcpProvider(h.services, () => serverBundle);
  try {
    const server = h.apis.mcpServers.get(PROVIDER_ID)!;
    const address = await server.resolve();
    const storage = h.services.context.globalStorageUri.fsPath;
    assert.deepEqual(provider.state().counters, { kind: 'file', where: path.join(storage, 'counters.json'), reachable: true });
    // The view refreshes on the provider's state changes: one comes once the other store is in use.
    const changed = new Promise<void>((resolve) => provider.onDidChangeState(() => provider.state().counters?.reachable === false && resolve()));

    h.settings = { ...h.settings, counterStore: 'memcached://cache.example:11211' };
    provider.configurationChanged();
    h.services.counters.settingsChanged();
    await changed;
    assert.equal(provider.state().counters?.reachable, false, 'the DingTalk view shows the store cannot be used');
    assert.match(provider.state().counters?.problem ?? '', /^dingtalkToken\.mcp\.counterStore: /);
    assert.equal(await server.resolve(), address, 'the same server, counting in the store the setting names now');
  } finally {
    provider.dispose();
    rmSync(folder, { recursive: true, force: true });
  }
});
