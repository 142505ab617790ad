import type * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { Services } from '../services';
import type { Disposable } from '../emitter';
import type { TestingApis, TestRunHandle } from '../apis/testing.apis';
import type { WorkspaceApis } from '../apis/workspace.apis';
import type { PolicyCasesOutcome } from '../../mcp/policyTesting';

/** The policy-testing half of dist/mcp.js (zod, the engine), loaded the first time a cases file is read. */
export type LoadPolicyTesting = () => Pick<typeof import('../../mcp/bundle'), 'runPolicyCasesText' | 'listPolicyCasesText'>;

// Required by path so esbuild keeps it a separate file that activation never loads.
const loadBundled: LoadPolicyTesting = () => require('./mcp.js') as typeof import('../../mcp/bundle');

/** `<policy name>.tests.yaml` (or .yml, .json) beside the policy file: `dingtalk-mcp-policy.json` → `dingtalk-mcp-policy.tests.yaml`. */
export function casesFilesFor(policy: vscode.Uri): vscode.Uri[] {
  const base = policy.path.replace(/\.(json|ya?ml)$/i, '');
  return ['.tests.yaml', '.tests.yml', '.tests.json'].map((suffix) => policy.with({ path: `${base}${suffix}` }));
}

/**
 * The MCP policy's test cases in VS Code's Testing view: one item per case of the cases file beside the policy,
 * run from the view or the gutter against the policy as it is on disk (fresh counters, no network), a failure
 * shown at its case's line with what the policy decided and by which rule.
 */
export function registerPolicyTests(services: Services, load: LoadPolicyTesting = loadBundled): Disposable {
  const { testing, workspace } = services.apis;
  const controller = testing.createController('dingtalkToken.policyTests', l10n.t('DingTalk MCP policy'));
  let watcher: Disposable | undefined;

  async function discover(): Promise<void> {
    const policy = services.apis.workspace.policyFile(services.settings());
    const found = policy ? await firstExisting(workspace, casesFilesFor(policy)) : undefined;
    controller.items.replace([]);
    if (!policy || !found) return;
    const text = await workspace.readText(found);
    const listed = load().listPolicyCasesText(text, found.path);
    const file = controller.createTestItem(found.toString(), workspace.relativePath(found), found);
    file.canResolveChildren = false;
    if (!listed.ok) {
      file.error = listed.problem;
    } else {
      for (const [index, entry] of listed.cases.entries()) {
        const item = controller.createTestItem(`${index}`, entry.name, found);
        if (entry.line !== undefined) item.range = testing.lineStart(entry.line - 1);
        file.children.add(item);
      }
    }
    controller.items.add(file);
  }

  function rediscover(): void {
    discover().catch((error: unknown) => services.log.error(l10n.t('Could not read the MCP policy tests: {0}', (error as Error).message)));
  }

  async function run(request: vscode.TestRunRequest, cancel: vscode.CancellationToken): Promise<void> {
    const testRun = controller.createTestRun(request);
    try {
      const files = request.include?.length ? request.include : [...collect(controller.items)];
      for (const requested of files) {
        if (cancel.isCancellationRequested) break;
        const file = requested.parent ?? requested;
        const cases = requested.parent ? [requested] : [...collect(file.children)];
        const policy = services.apis.workspace.policyFile(services.settings());
        if (!policy || !file.uri) continue;
        cases.forEach((item) => testRun.started(item));
        const outcome = load().runPolicyCasesText({
          policyText: await readTextOrUndefined(workspace, policy),
          policySource: policy.fsPath,
          casesText: await workspace.readText(file.uri),
          casesSource: file.uri.fsPath,
        });
        report(testing, testRun, cases, await outcome, file.uri);
      }
    } finally {
      testRun.end();
    }
  }

  controller.onRun(l10n.t('Run'), (request, cancel) => void run(request, cancel));
  controller.onRefresh(() => discover());

  const policy = workspace.policyFile(services.settings());
  if (policy?.scheme === 'file') {
    const slash = policy.path.lastIndexOf('/');
    const name = policy.path.slice(slash + 1).replace(/\.(json|ya?ml)$/i, '');
    watcher = workspace.watchFiles(policy.with({ path: policy.path.slice(0, slash) || '/' }), `${name}.tests.{yaml,yml,json}`, rediscover);
  }
  rediscover();

  return {
    dispose: () => {
      watcher?.dispose();
      controller.dispose();
    },
  };
}

function report(testing: TestingApis, testRun: TestRunHandle, cases: vscode.TestItem[], outcome: PolicyCasesOutcome, file: vscode.Uri): void {
  if (!outcome.ok) {
    const message = testing.message(
      outcome.where === 'policy' ? l10n.t('The policy cannot be used: {0}', outcome.problem) : l10n.t('The cases file is not valid: {0}', outcome.problem),
    );
    cases.forEach((item) => testRun.errored(item, message));
    return;
  }
  for (const item of cases) {
    const result = outcome.results[Number(item.id)];
    if (!result) continue;
    if (result.passed) {
      testRun.passed(item);
      continue;
    }
    const expected = result.case.rule ? l10n.t('expected {0} by "{1}"', result.case.expect, result.case.rule) : l10n.t('expected {0}', result.case.expect);
    const text = l10n.t('The policy decided {0} by "{1}"; {2}.', result.actual.decision, result.actual.rule, expected);
    testRun.failed(item, testing.message(text, result.case.line === undefined ? undefined : { uri: file, line: result.case.line - 1 }));
  }
}

function* collect(items: vscode.TestItemCollection): Generator<vscode.TestItem> {
  for (const [, item] of items) yield item;
}

async function firstExisting(workspace: WorkspaceApis, candidates: vscode.Uri[]): Promise<vscode.Uri | undefined> {
  for (const candidate of candidates) if ((await readTextOrUndefined(workspace, candidate)) !== undefined) return candidate;
  return undefined;
}

async function readTextOrUndefined(workspace: WorkspaceApis, uri: vscode.Uri): Promise<string | undefined> {
  try {
    return await workspace.readText(uri);
  } catch {
    return undefined;
  }
}
