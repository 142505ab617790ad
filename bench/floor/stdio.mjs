#!/usr/bin/env node
// Floor for figure 1: the smallest stdio MCP server the SDK allows, with one constant tool.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { registerFloorTool } from './shape.mjs';

const server = new McpServer({ name: 'floor', version: '1.0.0' });
registerFloorTool(server);
await server.connect(new StdioServerTransport());
process.stdin.once('end', () => void server.close());
