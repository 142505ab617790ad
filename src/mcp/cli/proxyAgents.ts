import type * as Undici from 'undici';

// The three parts of undici the proxy support uses, each from its own file: the package's index also loads its
// fetch, WebSocket, cache and mock code, which the CLI never runs. esbuild bundles this module alone into
// dist/undici.js (scripts/bundles.mjs); the deep paths are checked by the end-to-end proxy test of the built CLI.
export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof Undici.EnvHttpProxyAgent;
export const { setGlobalDispatcher } = require('undici/lib/global.js') as Pick<typeof Undici, 'setGlobalDispatcher'>;
