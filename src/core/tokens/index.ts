export { TokenManager } from './manager';
export type { CachedToken, RefreshBlock, TokenResult, TokenSource, TokenStatus } from './model';
export type { TokenStore } from './sharing';
export { MAX_TOKEN_REQUESTS_PER_MINUTE } from './requestCap';
