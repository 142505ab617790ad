import type * as Undici from 'undici';

// The three parts of undici the proxy support uses, each from its own file: the package's index also loads its
// fetch, WebSocket, cache and mock code, which the CLI never runs. esbuild bundles this module alone into
// dist/undici.js (scripts/bundles.mjs); the deep paths are checked by the proxy tests (integration, and end to end
// with the built CLI).

// As undici's index does: every dispatcher gets the request API, whose `connect` the proxy agent tunnels through.
const { prototype } = require('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
Object.assign(prototype, require('undici/lib/api/index.js'));

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof Undici.EnvHttpProxyAgent;
export const { setGlobalDispatcher } = require('undici/lib/global.js') as Pick<typeof Undici, 'setGlobalDispatcher'>;
