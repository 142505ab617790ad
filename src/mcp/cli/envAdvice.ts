import type { DingTalkError } from '../../core/dingtalk';

/** What to do about a failure, in the standalone server's terms: its DINGTALK_* environment variables and the developer console. */
export function environmentAdvice(error: DingTalkError): string | undefined {
  switch (error.kind) {
    case 'invalidCredentials':
      return "Set DINGTALK_APP_KEY and DINGTALK_APP_SECRET (or DINGTALK_APPS_FILE) to the app's Client ID and Client Secret from the developer console, and restart the server.";
    case 'tokenRejected':
      return "Check the app's IP whitelist and API permissions in the DingTalk developer console, then call refresh_access_token.";
    case 'throttled':
      return error.code === 'MinimumInterval' ? 'Call refresh_access_token to ask now.' : undefined;
    case 'quotaExceeded':
      return "Metered APIs work again in the next quota month, or once the organisation's quota is raised in the developer console; do not retry before.";
    case 'ipNotWhitelisted':
      return `Add ${error.ip ?? "the server's public IP"} to the app's server IP whitelist in the DingTalk developer console (the app's development settings).`;
    case 'permissionDenied':
      return `Request ${error.requiredScopes?.join(', ') ?? 'the permission'} under the app's permission management in the DingTalk developer console; the organisation must then authorise it.`;
    case 'timeout':
      return 'Check the network, or raise DINGTALK_REQUEST_TIMEOUT_MS.';
    case 'network':
      return 'Check the network, HTTPS_PROXY / HTTP_PROXY / NO_PROXY, or DINGTALK_API_BASE_URL and DINGTALK_LEGACY_API_BASE_URL.';
    case 'malformed':
      return 'Check that DINGTALK_API_BASE_URL and DINGTALK_LEGACY_API_BASE_URL point at DingTalk.';
    case 'server':
      return undefined;
  }
}
