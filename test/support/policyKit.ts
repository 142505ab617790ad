// What the policy engine's unit tests share: a clock that moves only when told, an approver that must not be
// asked, and the shape of a denial.
import assert from 'node:assert/strict';
import type { Approver, Verdict } from '../../src/core/policy/engine';

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
