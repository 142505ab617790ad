export { API_METHODS, ApiRequestRefused, dingtalkApiRequest, resolveTarget } from './apiRequest';
export { type AppCredentials, baseUrlProblem, type DingTalkEndpoints, endpointsWithDefaults, fetchAccessToken, type FetchedToken } from './client';
export { asDingTalkError, DingTalkError, type DingTalkErrorKind } from './errors';
