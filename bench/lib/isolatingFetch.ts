import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/**
 * The SDK's StreamableHTTPClientTransport hands one long-lived AbortSignal to every fetch, and Node's fetch
 * leaves a listener on it per request (removed only at GC), so thousands of calls trip MaxListenersExceeded.
 * This gives each request its own signal, bridged from the transport's and unhooked when the request settles.
 * Used by the benchmarks (bench/mcp.mjs, from out/) and the soak (bench/lib/soak/clients.ts).
 */
export function isolatingFetch(base: (url: string | URL, init?: RequestInit) => Promise<Response> = globalThis.fetch): FetchLike {
  return async (url, init) => {
    const parent = init?.signal;
    if (!parent) return base(url, init);
    const controller = new AbortController();
    const onAbort = () => controller.abort(parent.reason);
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener('abort', onAbort, { once: true });
    try {
      return await base(url, { ...init, signal: controller.signal });
    } finally {
      parent.removeEventListener('abort', onAbort);
    }
  };
}
