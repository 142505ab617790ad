import * as l10n from '@vscode/l10n';
import type { ServerLines } from '../../mcp/serverLines';
import { decisionWord } from '../wording/messages';

/**
 * The in-process MCP server's log lines in the person's language. The audit line is a sentence, then the event
 * as JSON whose field names stay English, so the log can be searched the same way in every language.
 */
export const SERVER_LINES: ServerLines = {
  toolCall: (event) => {
    const sentence = event.app
      ? l10n.t(
          'Agent called {0} for {1}: {2} by rule {3} in {4} ms',
          event.tool,
          event.app,
          decisionWord(event.decision),
          event.rule,
          Math.round(event.durationMs),
        )
      : l10n.t('Agent called {0}: {1} by rule {2} in {3} ms', event.tool, decisionWord(event.decision), event.rule, Math.round(event.durationMs));
    return `${sentence} ${JSON.stringify(event)}`;
  },
  sessionClosed: (sessionId, why) =>
    why.kind === 'room'
      ? l10n.t('MCP session {0} closed to make room (at most {1} sessions)', sessionId, why.maxSessions)
      : l10n.t('MCP session {0} closed after {1} min without requests', sessionId, why.minutes),
  requestFailed: (message) => l10n.t('MCP HTTP request failed: {0}', message),
  socketUnavailable: (kind, message) =>
    kind === 'pipe'
      ? l10n.t('MCP server: named pipe unavailable ({0}); using 127.0.0.1.', message)
      : l10n.t('MCP server: unix socket unavailable ({0}); using 127.0.0.1.', message),
};
