import { closestName } from './closestName';
import { policyProblem, unknownToolEntry, type PolicyProblem, type ProblemParams } from './problems';
import type { LimitFile, PolicyFile } from './file/schema';
import { compileRules, type Rule } from './conditions';
import { referenceKey, type CounterId } from './counterIdentity';
import type { Window } from './ruleSchema';

/** A checked policy file compiled to what PolicyEngine reads, and the entries in it that name no tool. */

type Scope = 'grant' | 'session';

export interface Limit {
  /** Rule id for audits and messages, e.g. `tools.x.limits[0]`. */
  rule: string;
  /** Whose counter: `tools.<name>` or `all_tools`. */
  target: string;
  counter: string;
  window: Window;
  max: number;
  scope: Scope;
}

export interface ToolRule {
  action: 'allow' | 'deny' | 'approve';
  reason?: string;
  limits: Limit[];
  rules: Rule[];
}

export interface CompiledPolicy {
  defaultAction: 'allow' | 'deny';
  hideAll: boolean;
  hidden: Set<string>;
  tools: Map<string, ToolRule>;
  /** The rules under "*", evaluated after each tool's own. */
  everyTool: Rule[];
  allTools: Limit[];
  /** Each rule counter by referenceKey(scope, counter), for conditions that read it (state.<scope>.<counter>). */
  counters: Map<string, CounterId>;
}

export function compile(file: PolicyFile): CompiledPolicy {
  const limits = (target: string, list: LimitFile[] | undefined): Limit[] =>
    (list ?? []).map((limit, index) => ({
      rule: `${target}.limits[${index}]`,
      target,
      counter: limit.counter,
      window: limit.window,
      max: limit.max,
      scope: limit.scope ?? 'grant',
    }));
  const tools = new Map<string, ToolRule>();
  for (const [name, tool] of Object.entries(file.tools ?? {})) {
    if (name === '*') continue;
    tools.set(name, {
      action: tool.action ?? 'allow',
      reason: tool.reason,
      limits: limits(`tools.${name}`, tool.limits),
      rules: compileRules(name, tool.rules ?? []),
    });
  }
  const hideList = file.hide === '*' ? ['*'] : (file.hide ?? []);
  const everyTool = compileRules('*', file.tools?.['*']?.rules ?? []);
  const counters = new Map<string, CounterId>();
  for (const rule of [...[...tools.values()].flatMap((tool) => tool.rules), ...everyTool]) {
    if (rule.state) counters.set(referenceKey(rule.state.scope, rule.state.counter), rule.state.id);
  }
  return {
    defaultAction: file.default ?? 'allow',
    // Intercept treats a "*" entry in the list like hide: "*".
    hideAll: hideList.includes('*'),
    hidden: new Set(hideList),
    tools,
    everyTool,
    allTools: limits('all_tools', file.all_tools?.limits),
    counters,
  };
}

const MAX_REPORTED_UNKNOWN = 10;

/** A name from the file as messages show it: quoted, shortened, bidi controls visible (JSON escapes the rest). */
function quoteName(name: string): string {
  const short = name.length > 80 ? `${name.slice(0, 79)}…` : name;
  return JSON.stringify(short).replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `hide` and `tools` entries that name no tool the server has (a typo such as "Get_Access_Token" silently
 * changes nothing), each with the closest real name: `hide[0] "Get_Access_Token" (did you mean "get_access_token"?)`.
 * Each is a warning (policyProblems.ts) at its path; `text` is the entry in English.
 */
export function unknownToolEntries(file: PolicyFile, knownTools: readonly string[]): { text: string; path: (string | number)[]; problem: PolicyProblem }[] {
  const named: [entry: string, name: string, path: (string | number)[]][] = [];
  // "*" in hide means every tool.
  if (Array.isArray(file.hide)) file.hide.forEach((name, index) => name !== '*' && named.push([`hide[${index}] ${quoteName(name)}`, name, ['hide', index]]));
  for (const name of Object.keys(file.tools ?? {})) if (name !== '*') named.push([`tools[${quoteName(name)}]`, name, ['tools', name]]);
  // A few are enough to see the mistake; a hostile file with thousands must not cost a suggestion each.
  const unknown = named.filter(([, name]) => !knownTools.includes(name));
  const shown = unknown.slice(0, MAX_REPORTED_UNKNOWN).map(([entry, name, path]) => {
    const suggestion = closestName(name, knownTools);
    const params: ProblemParams = suggestion ? { entry, suggestion } : { entry, tools: knownTools.join(', ') };
    return { text: unknownToolEntry(params), path, problem: policyProblem('unknownTool', params, { severity: 'warning' }) };
  });
  if (unknown.length > shown.length) {
    const count = unknown.length - shown.length;
    shown.push({ text: `and ${count} more`, path: [], problem: policyProblem('moreUnknownTools', { count }, { severity: 'warning' }) });
  }
  return shown;
}
