import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadText } from '../support/policyKit';
import { PolicyEngine, type Approver, type Verdict } from '../../src/core/policy/engine';
import { parsePolicy, policyFormatOf } from '../../src/core/policy/file/parse';

/** Intercept's YAML policy format: read for .yaml/.yml files, with problems named by line. */

const neverAsked: Approver = async () => assert.fail('the approver must not be asked');

const INTERCEPT_POLICY = `version: "1"
description: "Agents may read contacts, not send messages"

hide:
  - get_access_token

tools:
  dingtalk_api_request:
    rules:
      - name: "contact reads only"
        conditions:
          - path: "args.method"
            op: "in"
            value: ["GET"]
          - path: "args.path"
            op: "regex"
            value: "^/v1\\\\.0/contact/"
        on_deny: "Only contact reads are allowed"
  refresh_access_token:
    rules:
      - name: "refresh limit"
        rate_limit: 2/minute
  "*":
    rules:
      - name: "global rate limit"
        rate_limit: 60/minute
`;

function engineFor(source: string, text: string) {
  const engine = new PolicyEngine({ source, clock: { now: () => Date.UTC(2026, 0, 5, 10, 30, 0) } });
  return { engine, result: loadText(engine, text) };
}

async function use(engine: PolicyEngine, tool: string, args: unknown = {}): Promise<Verdict> {
  const verdict = await engine.evaluate({ tool, args, sessionId: 's' }, neverAsked);
  if (verdict.allowed) verdict.finish(true);
  return verdict;
}

test('the format follows the file name: .yaml and .yml are YAML, anything else JSON', () => {
  assert.deepEqual(['p.yaml', 'P.YML', '/a/policy.yml', 'p.json', 'policy', 'yaml.json'].map(policyFormatOf), ['yaml', 'yaml', 'yaml', 'json', 'json', 'json']);
});

test('an Intercept policy in YAML works unchanged: hide, conditions, rate_limit and "*"', async () => {
  const { engine, result } = engineFor('/ws/policy.yaml', INTERCEPT_POLICY);
  assert.deepEqual(result, { ok: true });
  assert.equal(engine.isHidden('get_access_token'), true);
  assert.equal((await use(engine, 'dingtalk_api_request', { method: 'GET', path: '/v1.0/contact/users/me' })).allowed, true);
  const send = await use(engine, 'dingtalk_api_request', { method: 'POST', path: '/v1.0/robot/oToMessages/batchSend' });
  assert.equal(!send.allowed && send.reason, 'Only contact reads are allowed');
  assert.equal((await use(engine, 'refresh_access_token')).allowed, true);
  assert.equal((await use(engine, 'refresh_access_token')).allowed, true);
  const third = await use(engine, 'refresh_access_token');
  assert.equal(!third.allowed && third.reason, 'Rate limit of 2 per minute reached. Try again later.');
});

test('version: 1 unquoted is read as Intercept reads it', () => {
  assert.equal(parsePolicy('version: 1\ntools: {}\n', 'yaml').ok, true);
});

test('YAML problems name their line: syntax, validation, duplicate keys', () => {
  const error = (text: string) => {
    const result = parsePolicy(text, 'yaml');
    return result.ok ? 'ok' : result.error;
  };
  assert.match(error('version: "1"\ntools:\n  x: [unclosed\n'), /^not valid YAML: .* \(line \d, column \d+\)$/);
  assert.match(
    error('version: "1"\ntools:\n  x:\n    rules:\n      - name: r\n        action: deny\n        conditions:\n          - {path: args.a, op: eq, value: 1}\n'),
    /^tools\.x\.rules\[0\]: deny rules must not have conditions \(line 5\)$/,
  );
  assert.match(
    error(
      'version: "1"\ntools:\n  x:\n    rules:\n      - name: r\n        conditions:\n          - path: args.a\n            op: like\n            value: 1\n',
    ),
    /conditions\[0\]: unknown operator "like" .*\(line 7\)$/,
  );
  assert.match(error('version: "1"\ndefault: maybe\n'), /^default must be "allow" or "deny" \(line 2\)$/);
  assert.match(error('version: "1"\nhide: [a]\nhide: [b]\n'), /not valid YAML: .*(unique|Map keys)/i);
  assert.match(error('   \n'), /the file is empty; it needs at least version: "1"/);
});

test('an alias bomb is refused instead of expanded', () => {
  const bomb = ['version: "1"', 'a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 8; i++)
    bomb.push(
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
        .fill(`*${String.fromCharCode(97 + i)}`)
        .join(', ')}]`,
    );
  const result = parsePolicy(bomb.join('\n'), 'yaml');
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error : '', /not valid YAML: .*alias/i);
});

test('a YAML policy with an error never takes effect: every call is denied until it is fixed', async () => {
  const { engine, result } = engineFor('/ws/policy.yml', 'version: "1"\ntools:\n  x:\n    rules:\n      - rate_limit: lots\n');
  assert.equal(result.ok, false);
  const verdict = await use(engine, 'x');
  assert.equal(!verdict.allowed && verdict.rule, 'invalid-policy');
});
