// The dingtalk-token-mcp command: a few bytes that load the shared MCP bundle beside them.
(require('./mcp.js') as typeof import('./bundle')).runCli();
