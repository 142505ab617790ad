import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DingTalkError, type DingTalkErrorKind } from '../../src/core/dingtalk/errors';
import { MAX_TOKEN_REQUESTS_PER_MINUTE } from '../../src/core/tokens';
import { environmentAdvice } from '../../src/mcp/cli/envAdvice';

const KINDS: DingTalkErrorKind[] = [
  'invalidCredentials',
  'tokenRejected',
  'throttled',
  'quotaExceeded',
  'ipNotWhitelisted',
  'permissionDenied',
  'server',
  'network',
  'timeout',
  'malformed',
];

test('the standalone server words its advice in DINGTALK_* environment variables, never VS Code settings or commands', () => {
  for (const kind of KINDS) {
    const advice = environmentAdvice(new DingTalkError(kind, 'what happened', { ip: '198.51.100.4', requiredScopes: ['qyapi_get_member'] })) ?? '';
    assert.doesNotMatch(advice, /dingtalkToken\.|"DingTalk: |VS Code/, kind);
  }
  const say = (kind: DingTalkErrorKind) => environmentAdvice(new DingTalkError(kind, 'x', { ip: '198.51.100.4', requiredScopes: ['qyapi_get_member'] })) ?? '';
  assert.match(say('invalidCredentials'), /DINGTALK_APP_KEY and DINGTALK_APP_SECRET/);
  assert.match(say('timeout'), /DINGTALK_REQUEST_TIMEOUT_MS/);
  assert.match(say('network'), /HTTPS_PROXY/);
  assert.match(say('malformed'), /DINGTALK_API_BASE_URL/);
  assert.match(say('ipNotWhitelisted'), /198\.51\.100\.4.*whitelist/);
  assert.match(say('permissionDenied'), /qyapi_get_member/);
});

test("the core reports what happened without naming a host's settings: no VS Code setting in src/core messages", () => {
  const dir = path.join(__dirname, '../../../src/core');
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.ts'))) {
    const code = readFileSync(path.join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
      .join('\n');
    assert.doesNotMatch(code, /dingtalkToken\.[a-zA-Z]/, `${name} names a VS Code setting`);
  }
});

test('the README states the per-app cap on token requests that the code enforces', () => {
  const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
  assert.match(readme, new RegExp(`at most ${MAX_TOKEN_REQUESTS_PER_MINUTE} token requests to DingTalk in any minute`));
});
