// What an MCP client learns from the tools' annotations decides whether it asks the person before a call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DingTalkEmulator, SANDBOX_APPS } from '../emulator/emulator';
import { connectTools } from '../support/emulatorTools';

test('tools that hand the agent a raw token are not marked read-only, so a client such as VS Code asks before running them', async () => {
  const emulator = await DingTalkEmulator.start();
  const tools = await connectTools(emulator, { apps: [SANDBOX_APPS[0]] });
  try {
    const { tools: listed } = await tools.client.listTools();
    const byName = Object.fromEntries(listed.map((tool) => [tool.name, tool]));
    const givingTokens = listed.filter((tool) => Object.keys(tool.outputSchema?.properties ?? {}).includes('accessToken')).map((tool) => tool.name);
    assert.deepEqual(givingTokens.sort(), ['get_access_token', 'refresh_access_token']);
    for (const name of givingTokens) {
      assert.equal(byName[name]?.annotations?.readOnlyHint, false, `${name} must not be a read-only hint`);
      assert.equal(byName[name]?.annotations?.destructiveHint, false, `${name} changes nothing in DingTalk`);
    }
    // The tools that never show a token stay read-only, so status questions run without a prompt.
    assert.equal(byName.token_status?.annotations?.readOnlyHint, true);
    assert.equal(byName.list_apps?.annotations?.readOnlyHint, true);
    assert.match(byName.get_access_token?.description ?? '', /dingtalk_api_request, which never shows the token/);
  } finally {
    await tools.close();
    await emulator.close();
  }
});
