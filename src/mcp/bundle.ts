// dist/mcp.js: everything that needs the MCP SDK and zod, in one bundle shared by the extension (loaded only
// when VS Code starts the server) and the dingtalk-token-mcp command, so the .vsix carries it once.
export { startExtensionMcpServer } from './extensionServer';
export { runCli } from './cli/main';
export { runPolicyCasesText, listPolicyCasesText } from './policyTesting';
export { checkPolicyDocument } from './policyChecking';
// The extension's counter store (a file, or Redis), opened when a window first counts: ioredis and the lock stay out of activation.
export { counterStoreFrom } from '../core/policy';
