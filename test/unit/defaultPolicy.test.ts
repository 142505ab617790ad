import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_POLICY, DEFAULT_REFRESHES_PER_MINUTE } from '../../src/core/policy/defaults';
import { applyPolicyRead } from '../../src/core/policy/apply';
import { PolicyEngine } from '../../src/core/policy/engine';
import { POLICY_TEMPLATES } from '../../src/extension/mcp/policyTemplate';

// The built-in policy is decided in src/core/defaultPolicy.ts; these check that what people read says the same.
const root = path.join(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

test("the README and the policyFile setting's description state the default refresh limit the code applies", () => {
  assert.match(
    read('README.md'),
    new RegExp(`Without a file: everything allowed,\\s+\`refresh_access_token\` at most ${DEFAULT_REFRESHES_PER_MINUTE} a minute`),
  );
  const english = JSON.parse(read('package.nls.json')) as Record<string, string>;
  const chinese = JSON.parse(read('package.nls.zh-cn.json')) as Record<string, string>;
  assert.match(english['config.mcp.policyFile'] ?? '', new RegExp(`\`refresh_access_token\` is limited to ${DEFAULT_REFRESHES_PER_MINUTE} calls a minute`));
  assert.match(chinese['config.mcp.policyFile'] ?? '', new RegExp(`\`refresh_access_token\` 每分钟最多调用 ${DEFAULT_REFRESHES_PER_MINUTE} 次`));
});

test('the "Refresh rate limit" template is the built-in default spelled out', () => {
  assert.deepEqual(JSON.parse(POLICY_TEMPLATES.refreshRateLimit), DEFAULT_POLICY);
});

test('the log line for a missing policy file names the default limit', () => {
  const report = applyPolicyRead(new PolicyEngine({ source: '/ws/p.json' }), { kind: 'missing' });
  assert.match(report.message, new RegExp(`refresh_access_token at most ${DEFAULT_REFRESHES_PER_MINUTE} times a minute`));
});
