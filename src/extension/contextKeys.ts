import type { Services } from './services';
import type { McpProvider } from './mcp/provider';
import { CONTEXT_KEY } from './commandIds';
import type { Disposable } from './emitter';

/**
 * Context keys for `when` clauses and the walkthrough's completion events: a step completes when the
 * person has reached its state (an app stored, a token fetched, the MCP server started), not when a
 * command merely opened.
 */
export function trackContextKeys(services: Services, mcp: McpProvider): Disposable {
  const current = new Map<string, boolean>();
  const set = (key: string, value: boolean) => {
    if (current.get(key) === value) return;
    current.set(key, value);
    void services.apis.commands.execute('setContext', key, value);
  };
  const update = () => {
    const apps = services.credentials.list();
    set(CONTEXT_KEY.hasApp, apps.length > 0);
    set(
      CONTEXT_KEY.hasToken,
      apps.some((app) => services.tokens.peek(app.appKey) !== undefined),
    );
    set(CONTEXT_KEY.mcpRunning, mcp.state().running);
  };
  update();
  const subscriptions = [services.credentials.onDidChangeApps(update), services.tokens.onDidChange(update), mcp.onDidChangeState(update)];
  return { dispose: () => subscriptions.forEach((subscription) => void subscription.dispose()) };
}
