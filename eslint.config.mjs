// ESLint flat config: typescript-eslint's type-checked rules for the TypeScript in tsconfig.json (src, test,
// bench; src/webview through its own tsconfig.json), plain recommended rules for the Node scripts (*.mjs).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Files inside a core subsystem; other floors import the subsystem's index.ts instead. */
const CORE_INSIDES = ['**/core/dingtalk/*', '**/core/tokens/*', '**/core/policy/*', '**/core/secretScan/*'];
/** The wrappers over VS Code (apis/) import nothing from outside their folder (no feature code, no core) but these helpers. */
const APIS_MAY_IMPORT = ['../emitter', '../settings'];

function floor(name, group) {
  return { patterns: [{ group, message: `The ${name} floor may not import this (see the floors in DESIGN.md and eslint.config.mjs).` }] };
}

export default defineConfig(
  { ignores: ['out/', 'dist/', 'node_modules/', '.vscode-test/', 'test-results/', '**/*.vsix'] },
  js.configs.recommended,
  {
    rules: {
      // A `let` read by a closure before its one assignment (e.g. the server's endpoint, known once it listens).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test runs top-level test() calls itself and reports their failures; awaiting them is not needed.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      // Async functions that implement a Promise-returning contract (approvers, fetchers, tool handlers, test
      // fakes) often have nothing to await; wrapping their results in Promise.resolve would read worse.
      '@typescript-eslint/require-await': 'off',
      // Lazy loads that esbuild keeps out of the activation bundle (see esbuild.mjs); everything else imports.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^(\\.|\\.\\./file)/yaml$', '^\\./mcp\\.js$', '^\\./proxyAgents$', '^undici/lib/'] }],
      // tsc's noUnusedLocals/noUnusedParameters already report these; keep `_`-prefixed names allowed.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // The floors (DESIGN.md): core runs everywhere, so it knows no VS Code, MCP server or extension; the MCP servers
  // know no extension; the webview script and src/shared run in a browser too. Outside core, a subsystem is
  // reached through its index.ts; the apis/ wrappers stay one line over VS Code, free of feature code.
  { files: ['src/core/**/*.ts'], rules: { 'no-restricted-imports': ['error', floor('core', ['vscode', '**/mcp/**', '**/extension/**'])] } },
  { files: ['src/mcp/**/*.ts'], rules: { 'no-restricted-imports': ['error', floor('mcp', ['vscode', '**/extension/**', ...CORE_INSIDES])] } },
  {
    files: ['src/shared/**/*.ts', 'src/webview/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', floor('browser', ['vscode', '**/mcp/**', '**/extension/**'])] },
  },
  { files: ['src/extension/**/*.ts'], ignores: ['src/extension/apis/**'], rules: { 'no-restricted-imports': ['error', floor('extension', CORE_INSIDES)] } },
  // Feature code reaches VS Code through the apis/ wrappers, so it runs under node:test; it may name VS Code's types.
  {
    files: ['src/extension/**/*.ts'],
    ignores: ['src/extension/apis/**', 'src/extension/extension.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', allowTypeImports: true, message: 'Feature code calls VS Code through the apis/ wrappers; import only its types here.' }] },
      ],
    },
  },
  {
    files: ['src/extension/apis/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', floor('apis', [...CORE_INSIDES, '../*', '../*/**', ...APIS_MAY_IMPORT.map((helper) => `!${helper}`)])],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
