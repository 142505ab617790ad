/**
 * What kind of file a name is, for the secret scan: formats whose values may stand unquoted (`.env`, YAML,
 * properties, TOML, shell) are read differently from those where a literal is always quoted (JSON, code).
 */
export type FileKind = 'env' | 'yaml' | 'properties' | 'toml' | 'json' | 'code' | 'other';

const BY_EXTENSION: Record<string, FileKind> = {
  sh: 'env',
  bash: 'env',
  zsh: 'env',
  yaml: 'yaml',
  yml: 'yaml',
  properties: 'properties',
  ini: 'properties',
  cfg: 'properties',
  conf: 'properties',
  toml: 'toml',
  json: 'json',
  jsonc: 'json',
  json5: 'json',
  js: 'code',
  mjs: 'code',
  cjs: 'code',
  jsx: 'code',
  ts: 'code',
  mts: 'code',
  cts: 'code',
  tsx: 'code',
  py: 'code',
};

export function fileKindOf(fileName: string): FileKind {
  const base = (fileName.split(/[\\/]/).pop() ?? '').toLowerCase();
  if (base === '.env' || base.startsWith('.env.') || base.endsWith('.env')) return 'env';
  const dot = base.lastIndexOf('.');
  return (dot > 0 && BY_EXTENSION[base.slice(dot + 1)]) || 'other';
}

/** Whether a literal may stand without quotes in this kind of file (in JSON and code an unquoted value is an expression). */
export function allowsBareValues(kind: FileKind): boolean {
  return kind === 'env' || kind === 'yaml' || kind === 'properties' || kind === 'toml';
}
