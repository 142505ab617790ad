import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from '../support/fakeApis';
import { eventually } from '../support/eventually';
import type { FakeTestController, FakeTestItem } from '../support/fakeTesting';
import { registerPolicyTests } from '../../src/extension/policyTests/policyTests';
import { listPolicyCasesText, runPolicyCasesText } from '../../src/mcp/policyTesting';
import { SAMPLE_CASES as CASES, SAMPLE_POLICY as POLICY } from '../support/policyCases';

/** The MCP policy's cases file in VS Code's Testing view: listed, run, and failures shown at their lines. */

const POLICY_FILE = '/workspace/.vscode/dingtalk-mcp-policy.json';
const CASES_FILE = '/workspace/.vscode/dingtalk-mcp-policy.tests.yaml';

/** The Testing view once the files are written and the policy tests registered, as activate() does. */
async function testingView(t: TestContext, files: { policy?: string; cases?: string }) {
  const h = await harness();
  if (files.policy !== undefined) h.apis.files.write(POLICY_FILE, files.policy);
  if (files.cases !== undefined) h.apis.files.write(CASES_FILE, files.cases);
  const registration = registerPolicyTests(h.services, () => ({ listPolicyCasesText, runPolicyCasesText }));
  t.after(() => registration.dispose());
  const controller = h.apis.testControllers.get('dingtalkToken.policyTests')!;
  await controller.refresh();
  return { files: h.apis.files, controller };
}

const casesOf = (controller: FakeTestController): FakeTestItem[] => controller.files()[0]?.children.all() ?? [];

test('a cases file beside the policy shows one test per case in the Testing view, each at its line', async (t) => {
  const { controller } = await testingView(t, { policy: POLICY, cases: CASES });
  const [file] = controller.files();
  assert.equal(file?.label, '.vscode/dingtalk-mcp-policy.tests.yaml');
  const cases = casesOf(controller);
  assert.deepEqual(
    cases.map((item) => item.label),
    ['a contact read is allowed', 'a message send asks a person', 'the fourth status call in a minute is denied'],
  );
  for (const item of cases) assert.match(CASES.split('\n')[item.line ?? -1] ?? '', new RegExp(`name: ${item.label}$`), `${item.label} sits at its line`);
});

test('without a cases file beside the policy the Testing view shows nothing', async (t) => {
  const { controller } = await testingView(t, { policy: POLICY });
  assert.deepEqual(controller.files(), []);
});

test('running every case passes those the policy meets and fails the others with its decision and rule at the case line', async (t) => {
  const { controller } = await testingView(t, { policy: POLICY, cases: CASES.replace('calls: 4', 'calls: 3') });
  const run = await controller.run();
  const finished = run.outcomes.filter((entry) => entry.outcome !== 'started');
  assert.deepEqual(
    finished.map((entry) => [entry.label, entry.outcome]),
    [
      ['a contact read is allowed', 'passed'],
      ['a message send asks a person', 'passed'],
      ['the fourth status call in a minute is denied', 'failed'],
    ],
  );
  const failing = casesOf(controller)[2];
  assert.deepEqual(finished[2]?.message, {
    message: 'The policy decided allow by "tools.token_status"; expected deny by "three a minute".',
    at: { path: CASES_FILE, line: failing?.line },
  });
});

test('running one case from the gutter runs that case alone', async (t) => {
  const { controller } = await testingView(t, { policy: POLICY, cases: CASES });
  const second = casesOf(controller)[1];
  assert.ok(second, 'a second case is listed');
  const run = await controller.run(second);
  assert.deepEqual(
    run.outcomes.map((entry) => [entry.label, entry.outcome]),
    [
      ['a message send asks a person', 'started'],
      ['a message send asks a person', 'passed'],
    ],
  );
});

test('a policy that cannot be used errors every case, saying why', async (t) => {
  const { controller } = await testingView(t, { policy: '{"version": "1", "tools": {"token_status": {"action": "nope"}}}', cases: CASES });
  const run = await controller.run();
  const errored = run.outcomes.filter((entry) => entry.outcome === 'errored');
  assert.equal(errored.length, 3);
  for (const entry of errored) assert.match(entry.message?.message ?? '', /^The policy cannot be used: /);
});

test('an invalid cases file shows its problem on the file; fixed on disk, its cases are listed again', async (t) => {
  const { controller, files } = await testingView(t, { policy: POLICY, cases: 'cases:\n  - name: no tool\n    expect: allow\n' });
  const problem = controller.files()[0]?.error;
  assert.match(typeof problem === 'string' ? problem : '', /tool/);
  assert.equal(casesOf(controller).length, 0);
  files.write(CASES_FILE, CASES);
  await eventually(() => casesOf(controller).length === 3, 'the fixed cases listed');
  assert.equal(controller.files()[0]?.error, undefined);
});
