// The MCP server's version is the package's: a named import, so esbuild inlines just this one field of
// package.json into the bundles (not the whole manifest).
import { version } from '../../package.json';

export const SERVER_VERSION: string = version;
