export { API_METHODS, ApiRequestRefused, dingtalkApiRequest, resolveTarget } from './apiRequest';
export { type AppCredentials, baseUrlProblem, type DingTalkEndpoints, endpointsWithDefaults, fetchAccessToken, type FetchedToken } from './client';
export { asDingTalkError, DingTalkError, type DingTalkErrorKind } from './errors';
export { RobotError, type RobotErrorKind } from './robots/errors';
export { MemorySendCounter, ROBOT_BLOCK_MS, ROBOT_SENDS_PER_MINUTE, type SendCounter } from './robots/limiter';
export { MAX_ROBOT_NAME_LENGTH, resolveRobot, type RobotCredentials, type RobotDirectory, type RobotLastSend, type RobotSummary } from './robots/registry';
export { ROBOT_MESSAGE_TYPES, type RobotMessage, type RobotMessageType, RobotSender, type RobotSenderDeps } from './robots/send';
export { robotSignature } from './robots/sign';
export { checkRobot, robotSecretValues } from './robots/webhook';
