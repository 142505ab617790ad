// What the policy engine's unit tests share: a clock that moves only when told, an approver that must not be
// asked, and the shape of a denial.
import assert from 'node:assert/strict';
import { applyPolicyRead } from '../../src/core/policy/apply';
import type { Approver, PolicyEngine, Verdict } from '../../src/core/policy/engine';
import type { PolicyFileRead } from '../../src/core/policy/file/read';

export type Denial = Extract<Verdict, { allowed: false }>;

export function clockAt(time: number) {
  return {
    time,
    now() {
      return this.time;
    },
  };
}

export const neverAsked: Approver = async () => assert.fail('the approver must not be asked');

/**
 * Puts policy text in force as reading the file would (undefined: there is no file) and says whether it
 * loaded; a YAML source parses it as YAML.
 */
export function loadText(engine: PolicyEngine, text: string | undefined): { ok: true } | { ok: false; error: string } {
  const read: PolicyFileRead = text === undefined ? { kind: 'missing' } : { kind: 'text', text, resolvedPath: engine.current().source };
  const report = applyPolicyRead(engine, read);
  return report.ok ? { ok: true } : { ok: false, error: report.error };
}
