import type { AuditTrail } from '../../core/audit';
import type { TokenManager } from '../../core/tokens';
import type { Disposable } from '../emitter';

/** What the inspect view shows, and the events that change it. */
export interface InspectSources {
  tokens: Pick<TokenManager, 'onDidChange'>;
  credentials: { onDidChangeApps(listener: () => void): Disposable };
  audit: Pick<AuditTrail, 'onDidRecord'>;
}

/**
 * Calls `update` whenever what the inspect view shows changes, for as long as one panel is open: the
 * panel disposes it when it closes, so closed panels leave no listeners behind.
 */
export function followInspectSources(sources: InspectSources, update: () => void): Disposable {
  const subscriptions = [
    sources.tokens.onDidChange(() => update()),
    sources.credentials.onDidChangeApps(() => update()),
    sources.audit.onDidRecord(() => update()),
  ];
  return { dispose: () => subscriptions.splice(0).forEach((subscription) => subscription.dispose()) };
}
