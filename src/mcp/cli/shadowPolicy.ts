import * as path from 'node:path';
import { PolicyFileWatcher, ShadowPolicy, type CounterStore, type PolicyFileRead, type PolicyReport } from '../../core/policy';
import { TOOL_NAMES } from '../tools/definitions';

/**
 * DINGTALK_SHADOW_POLICY_FILE: a policy judged beside the one in force and written to the audit, never deciding.
 * Followed like the policy file; while it is missing or invalid there is simply no shadow, and the log says so.
 */
export async function openShadowPolicy(
  env: NodeJS.ProcessEnv,
  counterStore: CounterStore,
  log: (line: string) => void,
): Promise<{ shadow?: ShadowPolicy; close(): void }> {
  if (!env.DINGTALK_SHADOW_POLICY_FILE) return { close: () => undefined };
  const file = path.resolve(env.DINGTALK_SHADOW_POLICY_FILE);
  const shadow = new ShadowPolicy(file, { counterStore });
  const apply = (read: PolicyFileRead) => log(shadowLine(file, shadow.apply(read, { knownTools: TOOL_NAMES })));
  const watcher = await PolicyFileWatcher.open(file, apply);
  apply(watcher.current);
  return { shadow, close: () => watcher.close() };
}

function shadowLine(file: string, report: PolicyReport): string {
  if (report.ok && report.outcome === 'loaded') return `shadow policy ${file} is judged beside the policy in force (it never decides): ${report.message}`;
  if (report.ok) return `shadow policy ${file} does not exist: no shadow until it does`;
  return `shadow policy ${file} is not used (no shadow until it is fixed): ${report.error}`;
}
