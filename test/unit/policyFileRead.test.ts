import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { applyPolicyRead } from '../../src/core/policy/apply';
import { PolicyEngine } from '../../src/core/policy/engine';
import { MAX_POLICY_FILE_BYTES, readPolicyFile } from '../../src/core/policy/file/read';
import { neverAsked } from '../support/policyKit';

/**
 * Policy files that cannot be read, as a person meets them: read at start, every call is denied with the
 * reason; read once a good policy is in force, that policy stays and the report says why.
 */

const GOOD = JSON.stringify({ version: '1', tools: { token_status: { action: 'deny', reason: 'status is off here' } } });

const CASES: [what: string, make: (file: string, dir: string) => Promise<void>, reason: RegExp][] = [
  ['a dangling symlink', (file, dir) => fs.symlink(path.join(dir, 'gone.json'), file), /it is a symbolic link to a file that does not exist/],
  [
    'a symlink loop',
    async (file, dir) => {
      await fs.symlink(path.join(dir, 'other.json'), file);
      await fs.symlink(file, path.join(dir, 'other.json'));
    },
    /it is a symbolic link that loops back on itself/,
  ],
  ['a directory', (file) => fs.mkdir(file), /it is a directory, not a file/],
  [
    'a file over the size cap',
    (file) => fs.writeFile(file, `{"version": "1", "description": "${'x'.repeat(MAX_POLICY_FILE_BYTES)}"}`),
    new RegExp(`it is ${MAX_POLICY_FILE_BYTES + 35} bytes; a policy file may be at most ${MAX_POLICY_FILE_BYTES}`),
  ],
];

async function inTempDir(fn: (dir: string, file: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'policy-read-'));
  try {
    await fn(dir, path.join(dir, 'policy.json'));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

for (const [what, make, reason] of CASES) {
  test(`a policy file that is ${what} at start denies every call, with the reason`, async () => {
    await inTempDir(async (dir, file) => {
      await make(file, dir);
      const engine = new PolicyEngine({ source: file });
      const report = applyPolicyRead(engine, await readPolicyFile(file));
      assert.ok(!report.ok && report.denyingAll && report.level === 'error', JSON.stringify(report));
      assert.match(report.message, reason);
      const verdict = await engine.evaluate({ tool: 'list_apps', args: {}, sessionId: 's' }, neverAsked);
      assert.ok(!verdict.allowed);
      assert.equal(verdict.rule, 'invalid-policy');
      assert.match(verdict.reason, /cannot be read, so every tool call is denied/);
      assert.match(verdict.reason, reason);
    });
  });

  test(`a policy file that becomes ${what} keeps the last good policy in force, and says why`, async () => {
    await inTempDir(async (dir, file) => {
      await fs.writeFile(file, GOOD);
      const engine = new PolicyEngine({ source: file });
      assert.equal(applyPolicyRead(engine, await readPolicyFile(file)).ok, true);
      await fs.rm(file);
      await make(file, dir);
      const report = applyPolicyRead(engine, await readPolicyFile(file));
      assert.ok(!report.ok && !report.denyingAll && report.level === 'warn', JSON.stringify(report));
      assert.match(report.message, reason);
      assert.match(report.message, /The last good policy stays in force/);
      const verdict = await engine.evaluate({ tool: 'token_status', args: {}, sessionId: 's' }, neverAsked);
      assert.ok(!verdict.allowed && verdict.reason === 'status is off here', JSON.stringify(verdict));
      assert.equal((await engine.evaluate({ tool: 'list_apps', args: {}, sessionId: 's' }, neverAsked)).allowed, true);
    });
  });
}
