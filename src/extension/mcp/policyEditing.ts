import * as l10n from '@vscode/l10n';
import type { LocatedProblem, PolicyCheck, PolicyProblem } from '../../core/policy';
import type { Problem, ProblemsView } from '../apis/lm.apis';
import type { OpenText } from '../apis/workspace.apis';
import type { Services } from '../services';
import type { Disposable } from '../emitter';
import { wordProblem } from '../wording/policyWording';

/** Typing pauses this long before the text is checked again. */
export const CHECK_DELAY_MS = 300;

/** The engine's check of a policy text (dist/mcp.js's checkPolicyDocument, loaded on first use). */
export type CheckPolicyDocument = (text: string, file: string) => PolicyCheck;

/** What the policy file open in an editor would do if saved as it is: for the DingTalk view. */
export interface PolicyAsTyped {
  takesEffect: boolean;
  errors: number;
  warnings: number;
}

export interface PolicyEditingHost {
  services: Services;
  /** The one Problems collection for the policy file, shared with the server's load report. */
  problems: ProblemsView;
  check: () => CheckPolicyDocument;
  /** The as-typed check stopped (the editor closed, another file configured): show what the server last loaded. */
  restoreServerProblems(): void;
  /** The verdict changed (for the view). */
  changed(): void;
}

/**
 * The configured policy file, checked by the engine while the person types, whether or not the server runs:
 * one Problem per mistake at its range. Never notifies: a half-typed buffer governs no agent.
 * While the file is open, its Problems are this check's; the server's load report shows only when it is not.
 */
export class PolicyEditing implements Disposable {
  private file: string | undefined;
  private verdict: PolicyAsTyped | undefined;
  private timer: unknown;
  private readonly subscriptions: Disposable[];

  constructor(private readonly host: PolicyEditingHost) {
    const workspace = host.services.apis.workspace;
    this.subscriptions = [
      workspace.onDidOpenText((document) => this.isPolicy(document.path) && this.checkNow(document)),
      workspace.onDidChangeText((document) => this.isPolicy(document.path) && this.checkSoon(document)),
      workspace.onDidCloseText((path) => this.isPolicy(path) && this.stop()),
    ];
    this.configurationChanged();
  }

  /** Whether `file`'s Problems come from this check (it is the policy file and open in an editor). */
  owns(file: string | undefined): boolean {
    return file !== undefined && file === this.file && this.verdict !== undefined;
  }

  asTyped(): PolicyAsTyped | undefined {
    return this.verdict;
  }

  /** The settings or folders changed: check the newly named file if it is open, or stop. */
  configurationChanged(): void {
    const uri = this.host.services.apis.workspace.policyFile(this.host.services.settings());
    const file = uri?.scheme === 'file' ? uri.fsPath : undefined;
    if (file === this.file) return;
    this.stop();
    this.file = file;
    const open = this.host.services.apis.workspace.openTexts().find((document) => document.path === file);
    if (open) this.checkNow(open);
  }

  dispose(): void {
    this.cancel();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private isPolicy(path: string): boolean {
    return path === this.file;
  }

  private checkSoon(document: OpenText): void {
    this.cancel();
    this.timer = this.host.services.clock.setTimeout(() => {
      this.timer = undefined;
      this.checkNow(document);
    }, CHECK_DELAY_MS);
  }

  private checkNow(document: OpenText): void {
    this.cancel();
    let result: PolicyCheck;
    try {
      result = this.host.check()(document.text(), document.path);
    } catch (error) {
      this.host.services.log.error(l10n.t('Could not check the MCP policy: {0}', (error as Error).message));
      return;
    }
    this.host.problems.clear();
    this.host.problems.set(document.path, result.problems.map(asProblem));
    const errors = result.problems.filter((problem) => problem.severity === 'error').length;
    const previous = this.verdict;
    this.verdict = { takesEffect: result.takesEffect, errors, warnings: result.problems.length - errors };
    if (!previous || previous.takesEffect !== this.verdict.takesEffect || previous.errors !== errors || previous.warnings !== this.verdict.warnings) {
      this.host.changed();
    }
  }

  private stop(): void {
    this.cancel();
    if (!this.verdict) return;
    this.verdict = undefined;
    this.host.problems.clear();
    this.host.restoreServerProblems();
    this.host.changed();
  }

  private cancel(): void {
    if (this.timer !== undefined) this.host.services.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A policy problem as a Problems panel entry: at its range (the checker's 1-based, VS Code's 0-based). */
export function asProblem(problem: LocatedProblem): Problem {
  const { start, end } = problem.range;
  return {
    line: start.line - 1,
    column: start.column - 1,
    end: { line: end.line - 1, column: end.column - 1 },
    ...policyProblemWords(problem),
  };
}

/** The message, severity and source every policy Problem carries, whichever path found it. */
export function policyProblemWords(problem: PolicyProblem): Pick<Problem, 'message' | 'severity' | 'source'> {
  return { message: wordProblem(problem), severity: problem.severity === 'error' ? 'error' : 'warning', source: l10n.t('DingTalk MCP policy') };
}
