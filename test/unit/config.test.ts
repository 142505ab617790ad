// Reading the settings through the workspace api (test/support/fakeApis.ts): what the person set is used, and a
// wrong value is replaced and worded for the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSettings } from '../../src/extension/config';
import { fakeApis } from '../support/fakeApis';

test('with nothing set, the settings are the defaults package.json declares', () => {
  const settings = readSettings(fakeApis().workspace);
  assert.equal(settings.refreshMarginMs, 300_000);
  assert.equal(settings.autoRefresh, true);
  assert.equal(settings.endpoints.apiBaseUrl, 'https://api.dingtalk.com');
  assert.equal(settings.policyFile, '.vscode/dingtalk-mcp-policy.json');
  assert.deepEqual(settings.problems, []);
});

test('the values the person set are read from the dingtalkToken section', () => {
  const apis = fakeApis();
  apis.configuration.set('dingtalkToken.refreshMarginSeconds', 600);
  apis.configuration.set('dingtalkToken.autoRefresh', false);
  apis.configuration.set('dingtalkToken.tokenApi', 'legacy');
  const settings = readSettings(apis.workspace);
  assert.equal(settings.refreshMarginMs, 600_000);
  assert.equal(settings.autoRefresh, false);
  assert.equal(settings.endpoints.tokenApi, 'legacy');
});

test('a value out of range or of the wrong type is replaced, and the problem names the setting and what is used', () => {
  const apis = fakeApis();
  apis.configuration.set('dingtalkToken.requestTimeoutMs', 5);
  apis.configuration.set('dingtalkToken.autoRefresh', 'yes');
  const settings = readSettings(apis.workspace);
  assert.deepEqual(settings.problems, [
    'dingtalkToken.requestTimeoutMs is 5, outside the range 1000–120000 ms; using 1000.',
    'dingtalkToken.autoRefresh is "yes", not true or false; using the default true.',
  ]);
  assert.equal(settings.autoRefresh, true);
});
