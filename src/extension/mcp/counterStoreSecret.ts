import * as l10n from '@vscode/l10n';
import type { Secrets } from '../apps/credentials';

/** What moving a Redis password out of dingtalkToken.mcp.counterStore needs from VS Code. */
export interface CounterStoreSecretHost {
  secrets: Pick<Secrets, 'get' | 'store'>;
  /** Writes dingtalkToken.mcp.counterStore in the user's settings. */
  updateUserSetting(value: string): Thenable<void>;
  /** Tells the person, in their language. */
  tell(message: string): void;
}

const KEY_PREFIX = 'dingtalkToken.counterStore.password:';

/**
 * The URL to build the counter store from. A password in the setting is moved to SecretStorage (one per Redis host
 * and port) and the setting rewritten without it, since settings sync and are read by anyone with the file; a URL
 * without one gets the stored password back. Anything but a redis:// or rediss:// URL is returned as it is.
 */
export async function counterStoreUrl(setting: string, host: CounterStoreSecretHost): Promise<string> {
  const url = redisUrl(setting);
  if (!url) return setting;
  const key = KEY_PREFIX + `${url.protocol}//${url.hostname}:${url.port || '6379'}`;
  if (url.password) {
    await host.secrets.store(key, decodeURIComponent(url.password));
    const withPassword = url.toString();
    url.password = '';
    await host.updateUserSetting(url.toString());
    host.tell(l10n.t('The Redis password in dingtalkToken.mcp.counterStore is now kept in VS Code SecretStorage and was removed from your settings.'));
    return withPassword;
  }
  const password = await host.secrets.get(key);
  if (!password) return setting;
  url.password = encodeURIComponent(password);
  return url.toString();
}

function redisUrl(setting: string): URL | undefined {
  try {
    const url = new URL(setting.trim());
    return url.protocol === 'redis:' || url.protocol === 'rediss:' ? url : undefined;
  } catch {
    return undefined;
  }
}
