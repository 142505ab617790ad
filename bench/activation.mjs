// Figure 6: what activation costs: the activate() bundle, the .vsix, and the activation time the e2e run saw.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { root } from './lib/util.mjs';
import { bundledPackages, bundleOptions, NOT_IN_ACTIVATION } from '../scripts/bundles.mjs';

const EXTENSION = path.join(root, 'dist', 'extension.js');
const MCP_SERVER = path.join(root, 'dist', 'mcp.js');
const VSIX = path.join(root, 'dingtalk-token.vsix');
const ACTIVATION = path.join(root, 'test-results', 'activation.json');

/**
 * Strings that survive minification (protocol method names, header names, zod's class tags). A library counts as
 * "in the bundle" when any of its markers is; the markers are first checked against dist/mcp.js, which
 * must contain them, so a scan that would find nothing anyway is reported as inconclusive, not as a pass.
 */
const MARKERS = {
  // Not "McpServer": VS Code's own API (McpServerDefinitionProvider, McpHttpServerDefinition) contains it.
  'MCP SDK': ['notifications/initialized', 'tools/call', 'mcp-session-id', 'Mcp-Session-Id', 'StreamableHTTPServerTransport', 'McpError'],
  zod: ['ZodError', '$ZodType', 'ZodObject', 'ZodString', '_zod'],
};

function scan(text) {
  return Object.fromEntries(Object.entries(MARKERS).map(([library, markers]) => [library, markers.filter((marker) => text.includes(marker))]));
}

function vsixEntries() {
  const listing = spawnSync('unzip', ['-l', VSIX], { encoding: 'utf8' });
  if (listing.status !== 0) return undefined;
  return listing.stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+\S+\s+\S+\s+(.+)$/.exec(line))
    .filter((match) => match && !match[2].endsWith('/') && match[2] !== 'Name')
    .map((match) => ({ name: match[2].trim(), bytes: Number(match[1]) }))
    .sort((a, b) => b.bytes - a.bytes);
}

export async function activationFigure() {
  const result = {};
  if (fs.existsSync(EXTENSION)) {
    const text = fs.readFileSync(EXTENSION, 'utf8');
    result.extensionBytes = Buffer.byteLength(text);
    result.minified = !text.includes('\n//# sourceMappingURL') && text.split('\n').length < 50;
    result.found = scan(text);
    result.control = fs.existsSync(MCP_SERVER) ? scan(fs.readFileSync(MCP_SERVER, 'utf8')) : undefined;
    result.scanConclusive = result.control !== undefined && Object.values(result.control).every((found) => found.length > 0);
    result.clean = Object.values(result.found).every((found) => found.length === 0);
  }
  try {
    // The activate() entry rebuilt in memory with esbuild's metafile, to list which packages it really pulls in.
    result.packages = await bundledPackages(bundleOptions({ production: true }).extension);
    result.forbiddenPackages = result.packages.filter(({ name }) => NOT_IN_ACTIVATION.includes(name));
  } catch (error) {
    result.metafileError = error.message;
  }
  if (fs.existsSync(VSIX)) {
    result.vsixBytes = fs.statSync(VSIX).size;
    result.vsixEntries = vsixEntries();
  }
  if (fs.existsSync(ACTIVATION)) {
    try {
      const { activationMs } = JSON.parse(fs.readFileSync(ACTIVATION, 'utf8'));
      if (typeof activationMs === 'number') result.activationMs = activationMs;
      result.activationFileTime = fs.statSync(ACTIVATION).mtime.toISOString();
    } catch (error) {
      result.activationError = error.message;
    }
  }
  return result;
}
