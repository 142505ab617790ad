import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as Yaml from 'yaml';
import { parsePolicy } from '../../src/core/policy/file/parse';

/**
 * A YAML policy loads in work linear in its size. The work counted is the YAML parser's key comparisons,
 * through its public `uniqueKeys` option: its own repeated-key check compares each key with every one
 * before it (40,000 tools took 44 s to load).
 */

// The module object the loader calls parseDocument on (an import's namespace is read-only), once loaded.
parsePolicy('version: "1"\n', 'yaml');
const yaml = require.cache[require.resolve('yaml')]!.exports as typeof Yaml;
type ParseDocument = typeof yaml.parseDocument;
type Options = Parameters<ParseDocument>[1];

function countingKeyComparisons<T>(load: () => T): { result: T; comparisons: number } {
  const parser: { parseDocument: ParseDocument } = yaml;
  const original = parser.parseDocument;
  let comparisons = 0;
  const sameKey = (a: unknown, b: unknown) => a === b || (yaml.isScalar(a) && yaml.isScalar(b) && a.value === b.value);
  parser.parseDocument = (text: string, options: Options) => {
    const asked = options?.uniqueKeys;
    const compare = typeof asked === 'function' ? asked : asked === false ? undefined : sameKey;
    const counted = compare && ((a: Yaml.ParsedNode, b: Yaml.ParsedNode) => (comparisons++, compare(a, b)));
    return original(text, { ...options, uniqueKeys: counted ?? false });
  };
  try {
    return { result: load(), comparisons };
  } finally {
    parser.parseDocument = original;
  }
}

const policyWithTools = (count: number) => `version: "1"\ntools:\n${Array.from({ length: count }, (_, i) => `  tool_${i}: {}\n`).join('')}`;

test('a YAML policy with four times the tools costs at most four times the key comparisons', () => {
  const small = countingKeyComparisons(() => parsePolicy(policyWithTools(2_000), 'yaml'));
  const large = countingKeyComparisons(() => parsePolicy(policyWithTools(8_000), 'yaml'));
  assert.equal(small.result.ok && large.result.ok, true);
  assert.ok(large.comparisons <= 4 * small.comparisons + 100, `${small.comparisons} comparisons for 2,000 tools, ${large.comparisons} for 8,000`);
});

test('a repeated key deep in a long YAML policy is still refused at its line', () => {
  const text = `${policyWithTools(8_000)}  tool_7999: {}\n`;
  const result = parsePolicy(text, 'yaml');
  assert.equal(!result.ok && result.error, 'not valid YAML: Map keys must be unique (line 8003, column 3)');
});

test('keys that become the same property name are repeated keys: one cannot silently replace the other', () => {
  const result = parsePolicy('version: "1"\ntools:\n  1: {}\n  "1":\n    action: deny\n', 'yaml');
  assert.equal(!result.ok && result.error, 'not valid YAML: Map keys must be unique (line 4, column 3)');
});
