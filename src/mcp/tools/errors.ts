import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ApiRequestRefused, DingTalkError, RobotError } from '../../core/dingtalk';
import { AppNotFoundError } from '../../core/apps';
import { denialText, type Verdict } from '../../core/policy';
import type { ToolContext } from './context';

/** How a refused or failed tool call reads to an agent: an error result with words it can act on. */

export function denialWithRetry(verdict: Extract<Verdict, { allowed: false }>): string {
  const text = denialText(verdict);
  if (verdict.retryAfterSeconds === undefined || text.includes('retryAfterSeconds')) return text;
  return `${text} retryAfterSeconds: ${verdict.retryAfterSeconds}`;
}

/** The reason in words an agent can act on: kind and DingTalk's code for DingTalk failures. */
export function describeError(error: unknown, context: ToolContext): string {
  if (error instanceof DingTalkError) {
    const code = error.code ? ` (${error.code})` : '';
    const wait = error.retryAfterMs !== undefined ? ` retryAfterSeconds: ${Math.max(1, Math.ceil(error.retryAfterMs / 1000))}` : '';
    const advice = context.advice?.(error);
    return context.redactor.redact(`DingTalk error: ${error.kind}${code}. ${error.message}${advice ? ` ${advice}` : ''}${wait}`);
  }
  if (error instanceof AppNotFoundError) {
    const problem = context.setupProblem?.();
    return context.redactor.redact(problem ? `${error.message} ${problem}` : error.message);
  }
  if (error instanceof ApiRequestRefused) return context.redactor.redact(error.message);
  if (error instanceof RobotError) {
    const wait = error.retryAfterMs !== undefined ? ` retryAfterSeconds: ${Math.max(1, Math.ceil(error.retryAfterMs / 1000))}` : '';
    return context.redactor.redact(`Robot error: ${error.kind}${error.code ? ` (${error.code})` : ''}. ${error.message}${wait}`);
  }
  return context.redactor.redact(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
}

export function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}
