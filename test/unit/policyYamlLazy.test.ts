import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadText } from '../support/policyKit';
import { PolicyEngine } from '../../src/core/policy/engine';

// A file of its own: node:test runs each file in its own process, so nothing else has loaded the parser.
const yamlLoaded = () => Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]yaml[\\/]/.test(file));

test('the YAML parser loads only when a YAML policy is read', () => {
  const json = new PolicyEngine({ source: '/ws/policy.json' });
  assert.deepEqual(loadText(json, '{"version": "1", "tools": {"x": {"rules": [{"name": "r", "rate_limit": "5/hour"}]}}}'), { ok: true });
  assert.equal(yamlLoaded(), false, 'a JSON policy does not load it');
  const yaml = new PolicyEngine({ source: '/ws/policy.yaml' });
  assert.deepEqual(loadText(yaml, 'version: "1"\n'), { ok: true });
  assert.equal(yamlLoaded(), true);
});
