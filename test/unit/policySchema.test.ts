import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadText } from '../support/policyKit';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { PolicyEngine, type Approver } from '../../src/core/policy/engine';
import { POLICY_TEMPLATES } from '../../src/extension/mcp/policyTemplate';

/** The policy file as a first-class file: its JSON schema, where VS Code finds it, and the templates. */

const root = path.join(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as typeof import('../../package.json');
const [validation] = manifest.contributes.jsonValidation as { fileMatch: string[]; url: string }[];
assert.ok(validation, 'package.json contributes the policy schema');
const schema = JSON.parse(readFileSync(path.join(root, validation.url), 'utf8')) as object;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

test('the schema is contributed for the default policy file and shipped in the package', () => {
  assert.ok(validation.fileMatch.some((pattern) => pattern.endsWith(manifest.contributes.configuration.properties['dingtalkToken.mcp.policyFile'].default)));
  const ignore = readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes(`!${validation.url.replace(/^\.\//, '')}`), 'the allowlist ships the schema');
});

test('every template is a policy the engine and the schema accept', () => {
  for (const [id, text] of Object.entries(POLICY_TEMPLATES)) {
    assert.deepEqual(loadText(new PolicyEngine(), text), { ok: true }, id);
    assert.equal(validate(JSON.parse(text)), true, `${id}: ${JSON.stringify(validate.errors)}`);
  }
});

test("the schema flags nothing the engine checks as one types (each mistake is one Problem, the engine's); it suggests and describes", () => {
  const refused = [
    { version: '2' },
    { version: '1', default: 'block' },
    { version: '1', tools: { x: { rules: [{ action: 'deny' }] } } },
    { version: '1', tools: { x: { rules: [{ name: 'r', conditions: [{ path: 'amount', op: 'eq', value: 1 }] }] } } },
    { version: '1', tools: { x: { rules: [{ name: 'r', conditions: [{ path: 'args.a', op: 'like', value: 1 }] }] } } },
    { version: '1', tools: { x: { rules: [{ name: 'r', conditions: [{ path: 'args.a', op: 'in', value: 'a' }] }] } } },
    { version: '1', tools: { x: { rules: [{ name: 'r', rate_limit: '5/week' }] } } },
    { version: '1', tools: { '*': { action: 'deny' } } },
    { version: '1', surprise: true },
  ];
  for (const policy of refused) {
    assert.equal(loadText(new PolicyEngine(), JSON.stringify(policy)).ok, false, JSON.stringify(policy));
    assert.equal(validate(policy), true, `${JSON.stringify(policy)}: ${JSON.stringify(validate.errors)}`);
  }
  const hints = schema as { properties: Record<string, { examples?: unknown[]; description?: string; properties?: object }> };
  assert.deepEqual(hints.properties.default?.examples, ['allow', 'deny'], 'the values are still offered as one types');
  assert.match(hints.properties.default?.description ?? '', /deny/);
  assert.ok(Object.keys(hints.properties.tools?.properties ?? {}).includes('get_access_token'), 'tool names are still offered');
});

const recording = () => {
  const asked: string[] = [];
  const approver: Approver = async (request) => {
    asked.push(request.tool);
    return true;
  };
  return { asked, approver };
};

test('the templates do what their names say', async () => {
  const call = async (engine: PolicyEngine, tool: string, args: object, approver: Approver = async () => assert.fail('not asked')) => {
    const verdict = await engine.evaluate({ tool, args, sessionId: 's' }, approver);
    if (verdict.allowed) verdict.finish(true);
    return verdict.allowed;
  };
  const readOnly = new PolicyEngine();
  loadText(readOnly, POLICY_TEMPLATES.readOnly);
  assert.equal(await call(readOnly, 'dingtalk_api_request', { method: 'GET', path: '/v1.0/contact/users/me' }), true);
  assert.equal(await call(readOnly, 'dingtalk_api_request', { method: 'POST', path: '/v1.0/robot/oToMessages/batchSend' }), false);
  assert.equal(readOnly.isHidden('get_access_token'), true);

  const messages = new PolicyEngine();
  loadText(messages, POLICY_TEMPLATES.messagesNeedApproval);
  const { asked, approver } = recording();
  assert.equal(await call(messages, 'dingtalk_api_request', { method: 'POST', path: '/topapi/v2/user/get' }, approver), true);
  assert.deepEqual(asked, []);
  for (const messagePath of ['/v1.0/robot/oToMessages/batchSend', '/topapi/message/corpconversation/asyncsend_v2', '/robot/send']) {
    assert.equal(await call(messages, 'dingtalk_api_request', { method: 'POST', path: messagePath }, approver), true);
  }
  assert.equal(asked.length, 3);
});

test("the policy reference's examples are policies the engine and the schema accept", () => {
  const readme = ['docs/policy.md', 'docs/policy.zh-cn.md'].map((file) => readFileSync(path.join(root, file), 'utf8')).join('\n');
  const policies = [...readme.matchAll(/```json\n(\{\n {2}"version"[\s\S]*?)```/g)].map((match) => match[1] ?? '');
  assert.ok(policies.length >= 4, 'the examples are found');
  for (const text of policies) {
    assert.deepEqual(loadText(new PolicyEngine(), text), { ok: true }, text);
    assert.equal(validate(JSON.parse(text)), true, JSON.stringify(validate.errors));
  }
});
