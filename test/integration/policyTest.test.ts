import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPolicyCommand } from '../../src/mcp/cli/policyCommand';
import { runCli } from '../support/cliProcess';
import { SAMPLE_CASES as CASES, SAMPLE_POLICY as POLICY } from '../support/policyCases';

/** `dingtalk-token-mcp policy test|check`: a policy tested against known calls before it governs an agent. */

async function files(policy: string, cases: string): Promise<{ policyFile: string; casesFile: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'policy-test-'));
  const policyFile = path.join(dir, 'policy.json');
  const casesFile = path.join(dir, 'policy.tests.yaml');
  await fs.writeFile(policyFile, policy);
  await fs.writeFile(casesFile, cases);
  return { policyFile, casesFile };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runPolicyCommand(args, { out: (text) => (out += `${text}\n`), err: (text) => (err += `${text}\n`) });
  return { code, out, err };
}

test('policy test passes when every case gets its expected decision, one line per case', async () => {
  const { policyFile, casesFile } = await files(POLICY, CASES);
  const { code, out } = await run(['test', policyFile, casesFile]);
  assert.equal(code, 0, out);
  assert.equal(
    out,
    [
      '✓ a contact read is allowed: allow by "tools.dingtalk_api_request"',
      '✓ a message send asks a person: approve by "writes need a person"',
      '✓ the fourth status call in a minute is denied: deny by "three a minute"',
      '3 passed, 0 failed, 3 cases',
      '',
    ].join('\n'),
  );
});

test('policy test exits 1 naming the failing case, what the policy decided and by which rule', async () => {
  const { policyFile, casesFile } = await files(POLICY, CASES.replace('calls: 4', 'calls: 3'));
  const { code, out } = await run(['test', policyFile, casesFile]);
  assert.equal(code, 1);
  assert.match(out, /^✗ the fourth status call in a minute is denied: allow by "tools.token_status" \(expected deny by "three a minute"\)$/m);
  assert.match(out, /2 passed, 1 failed, 3 cases/);
});

test('an invalid policy or cases file exits 2, saying where', async () => {
  const broken = await files('{"version": "1", "default": "maybe"}', CASES);
  const policyRun = await run(['test', broken.policyFile, broken.casesFile]);
  assert.equal(policyRun.code, 2);
  assert.match(policyRun.err, new RegExp(`^${broken.policyFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid: .*default`));
  const badCases = await files(POLICY, CASES.replace('expect: approve', 'expect: maybe'));
  const casesRun = await run(['test', badCases.policyFile, badCases.casesFile]);
  assert.equal(casesRun.code, 2);
  assert.match(casesRun.err, /policy\.tests\.yaml:9 is not valid: cases\[1\]\.expect/);
});

test('policy check accepts a valid policy and refuses an invalid one with exit 2', async () => {
  const good = await files(POLICY, CASES);
  assert.equal((await run(['check', good.policyFile])).code, 0);
  const broken = await files('{"version": "1", "tools": {"token_status": {"action": "nope"}}}', CASES);
  const checked = await run(['check', broken.policyFile]);
  assert.equal(checked.code, 2);
  assert.match(checked.err, /invalid/);
  assert.equal((await run(['frobnicate'])).code, 2);
});

test('the dingtalk-token-mcp command runs policy test and exits 1 naming the failing case', async () => {
  const { policyFile, casesFile } = await files(POLICY, CASES.replace('calls: 4', 'calls: 3'));
  const result = await runCli(['policy', 'test', policyFile, casesFile]);
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stdout, /^✗ the fourth status call in a minute is denied: allow by "tools.token_status" \(expected deny by "three a minute"\)$/m);
  assert.match(result.stdout, /2 passed, 1 failed, 3 cases/);
  const checked = await runCli(['policy', 'check']);
  assert.equal(checked.status, 2);
  assert.match(checked.stderr, /dingtalk-token-mcp policy test POLICY CASES/);
});
