export {
  type CachedToken,
  MAX_TOKEN_REQUESTS_PER_MINUTE,
  type RefreshBlock,
  TokenManager,
  type TokenResult,
  type TokenSource,
  type TokenStatus,
  type TokenStore,
} from './manager';
