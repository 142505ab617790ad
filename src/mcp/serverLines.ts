// The MCP server's own log lines. The standalone server writes them in English; the extension passes its own
// wording (src/extension/serverLines.ts) so its log reads in the person's language.
import type { AuditEvent } from '../core/audit';

export type SessionClosed = { kind: 'room'; maxSessions: number } | { kind: 'idle'; minutes: number };

export interface ServerLines {
  /** One tool call's audit line; the event holds a digest of the arguments, never their values. */
  toolCall(event: AuditEvent): string;
  sessionClosed(sessionId: string, why: SessionClosed): string;
  requestFailed(message: string): string;
  /** The private socket (a named pipe on Windows, else a unix socket) could not be used; 127.0.0.1 serves instead. */
  socketUnavailable(kind: 'pipe' | 'unix', message: string): string;
}

export const ENGLISH_SERVER_LINES: ServerLines = {
  toolCall: (event) => `mcp tool call ${JSON.stringify(event)}`,
  sessionClosed: (sessionId, why) =>
    `MCP session ${sessionId} ${why.kind === 'room' ? `closed to make room (at most ${why.maxSessions} sessions)` : `closed after ${why.minutes} min without requests`}`,
  requestFailed: (message) => `MCP HTTP request failed: ${message}`,
  socketUnavailable: (kind, message) => `MCP server: ${kind === 'pipe' ? 'named pipe' : 'unix socket'} unavailable (${message}); using 127.0.0.1.`,
};
