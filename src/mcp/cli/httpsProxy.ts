import { BlockList, isIP } from 'node:net';

/**
 * The standalone server reaches DingTalk through HTTPS_PROXY / HTTP_PROXY (upper or lower case), skipping hosts in
 * NO_PROXY, as command-line tools behind a company proxy do. Installed as the process-wide dispatcher of fetch;
 * only the CLI calls this (in VS Code the extension host follows the editor's proxy settings instead).
 * Returns the proxies in use, without any credentials in their URLs, for the start-up log line; throws, naming
 * the variable, when a proxy URL cannot be used.
 */
export function useProxyFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  const httpsProxy = proxyFrom(env, 'HTTPS_PROXY', 'https_proxy');
  const httpProxy = proxyFrom(env, 'HTTP_PROXY', 'http_proxy');
  if (!httpsProxy && !httpProxy) return undefined;
  const noProxy = env.NO_PROXY ?? env.no_proxy;
  const { hosts, addresses } = splitNoProxy(noProxy ?? '');
  // undici is large: esbuild leaves it in its own file (dist/undici.js), loaded only behind a proxy, so the
  // in-process server VS Code starts never pays for it.
  const { Agent, EnvHttpProxyAgent, setGlobalDispatcher } = require('./proxyAgents') as typeof import('./proxyAgents');
  const proxied = new EnvHttpProxyAgent({ httpsProxy, httpProxy, noProxy: hosts });
  if (!addresses) {
    setGlobalDispatcher(proxied);
  } else {
    // undici matches NO_PROXY entries as host names only; address ranges (127.0.0.0/8) are matched here,
    // against hosts given as IP addresses, as curl does.
    const direct = new Agent();
    const dispatch = proxied.dispatch.bind(proxied);
    proxied.dispatch = (options, handler) => (isIn(addresses, options.origin) ? direct.dispatch(options, handler) : dispatch(options, handler));
    setGlobalDispatcher(proxied);
  }
  const shown = [httpsProxy && `https via ${withoutCredentials(httpsProxy)}`, httpProxy && `http via ${withoutCredentials(httpProxy)}`];
  return `${shown.filter(Boolean).join(', ')}${noProxy ? `; not for ${noProxy}` : ''}`;
}

/** The first of the variables that is set, checked to be an http(s) URL (its value is not quoted: it may hold a password). */
function proxyFrom(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  const name = names.find((candidate) => env[candidate]);
  if (!name) return undefined;
  const value = env[name]!;
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new Error(`${name} is not a proxy URL such as http://proxy.example.com:8080; correct it or unset it.`);
  return value;
}

/** NO_PROXY's host names for undici, and its address ranges (CIDR) in a list of their own (undefined when none). */
function splitNoProxy(noProxy: string): { hosts: string; addresses?: BlockList } {
  const hosts: string[] = [];
  let addresses: BlockList | undefined;
  for (const entry of noProxy.split(/[,\s]+/).filter(Boolean)) {
    const [, address, bits] = /^(.+)\/(\d{1,3})$/.exec(entry) ?? [];
    const family = address ? isIP(address) : 0;
    if (address && family && Number(bits) <= (family === 6 ? 128 : 32)) {
      addresses ??= new BlockList();
      addresses.addSubnet(address, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
    } else {
      hosts.push(entry);
    }
  }
  return { hosts: hosts.join(','), addresses };
}

function isIn(addresses: BlockList, origin: string | URL | undefined): boolean {
  if (origin === undefined) return false;
  const host = new URL(String(origin)).hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  return family !== 0 && addresses.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

function withoutCredentials(proxy: string): string {
  return new URL(proxy).origin;
}
