import type * as Undici from 'undici';

/**
 * The standalone server reaches DingTalk through HTTPS_PROXY / HTTP_PROXY (upper or lower case), skipping hosts in
 * NO_PROXY, as command-line tools behind a company proxy do. Installed as the process-wide dispatcher of fetch;
 * only the CLI calls this (in VS Code the extension host follows the editor's proxy settings instead).
 * Returns the proxies in use, without any credentials in their URLs, for the start-up log line.
 */
export function useProxyFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  const httpsProxy = env.HTTPS_PROXY || env.https_proxy;
  const httpProxy = env.HTTP_PROXY || env.http_proxy;
  if (!httpsProxy && !httpProxy) return undefined;
  const noProxy = env.NO_PROXY ?? env.no_proxy;
  // undici is half a megabyte: esbuild leaves it in its own file (dist/undici.js), loaded only behind a proxy,
  // so the in-process server VS Code starts never pays for it.
  const { EnvHttpProxyAgent, setGlobalDispatcher } = require('undici') as typeof Undici;
  setGlobalDispatcher(new EnvHttpProxyAgent({ httpsProxy, httpProxy, noProxy }));
  const shown = [httpsProxy && `https via ${withoutCredentials(httpsProxy)}`, httpProxy && `http via ${withoutCredentials(httpProxy)}`];
  return `${shown.filter(Boolean).join(', ')}${noProxy ? `; not for ${noProxy}` : ''}`;
}

function withoutCredentials(proxy: string): string {
  try {
    const url = new URL(proxy);
    return url.origin;
  } catch {
    return '(unparsable proxy URL)';
  }
}
