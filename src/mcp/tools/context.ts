import type { AppDirectory } from '../../core/apps';
import type { AuditTrail } from '../../core/audit';
import type { Clock } from '../../core/clock';
import type { DingTalkEndpoints, DingTalkError, RobotSender } from '../../core/dingtalk';
import type { Approver, PolicyEngine, ShadowPolicy } from '../../core/policy';
import type { Redactor } from '../../core/redact';
import type { TokenManager } from '../../core/tokens';
import type { ServerLines } from '../serverLines';

/** Everything the tools need; the extension and the CLI each build one. */
export interface ToolContext {
  tokens: TokenManager;
  apps: AppDirectory;
  /** The group robots and their sends; none are configured when absent. */
  robots?: RobotSender;
  /** Read on every call, so changed settings apply at once. */
  endpoints(): DingTalkEndpoints;
  policy: PolicyEngine;
  /** A second policy judged beside `policy` for the audit, never deciding; none when absent. */
  shadow?: ShadowPolicy;
  /** Asks the person about a call the policy marks `approve`; gets the whole arguments to show them. */
  approver: ToolApprover;
  audit: AuditTrail;
  /** One line per tool call; the sink passes it through the redactor. */
  log(line: string): void;
  /** Cleans every text the tools return of the secrets and tokens the host has seen. */
  redactor: Redactor;
  /** The server's log lines in this host's words (the extension's in the person's language); English when absent. */
  lines?: ServerLines;
  clock?: Pick<Clock, 'now'>;
  /** Why no app is configured (a broken apps file...), added to "no app" errors. */
  setupProblem?(): string | undefined;
  /** What to do about a DingTalk failure in this host's terms (VS Code settings and commands, or environment variables). */
  advice?(error: DingTalkError): string | undefined;
}

/** The policy's approval request: the call's whole arguments, so the person can see everything the call will do. */
export type ToolApprover = Approver;
