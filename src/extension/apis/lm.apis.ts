import * as vscode from 'vscode';
import type { Disposable, Event } from '../emitter';

/** How VS Code reaches a running MCP server: a TCP URL, or a Unix socket or Windows pipe serving /mcp. */
interface McpAddress {
  kind: 'tcp' | 'unix' | 'pipe';
  url: string;
  socketPath?: string;
  headers: Record<string, string>;
}

/** One HTTP MCP server offered to VS Code: what it is called, when it changes, and how to reach it once started. */
export interface McpServerSource {
  onDidChange: Event<void>;
  /** The definition to offer, or none (turned off). Its version changes when VS Code should ask again. */
  definition(): { label: string; version: string } | undefined;
  /** Starts the server if need be; undefined when it is no longer offered. */
  resolve(): Promise<McpAddress | undefined>;
}

/** A line of the Problems panel for one file. */
export interface Problem {
  /** 0-based. */
  line: number;
  /** 0-based; the range ends just before `end` (the whole line when absent). */
  column?: number;
  end?: { line: number; column: number };
  message: string;
  severity: 'error' | 'warning';
  source: string;
}

/** The MCP server registration (vscode.lm) and the Problems panel (vscode.languages), for mcpProvider.ts. */
export interface LmApis {
  registerMcpServer(id: string, source: McpServerSource): Disposable;
  createProblems(name: string): ProblemsView;
}

export interface ProblemsView extends Disposable {
  /** Replaces the problems shown for `file`; an empty list clears them. */
  set(file: string, problems: Problem[]): void;
  clear(): void;
}

export function createLmApis(): LmApis {
  return {
    registerMcpServer: (id, source) =>
      vscode.lm.registerMcpServerDefinitionProvider(id, {
        onDidChangeMcpServerDefinitions: source.onDidChange,
        provideMcpServerDefinitions: () => {
          const offered = source.definition();
          // The real address is only known once the server runs; resolve fills it in.
          return offered ? [new vscode.McpHttpServerDefinition(offered.label, vscode.Uri.parse('http://localhost/mcp'), {}, offered.version)] : [];
        },
        resolveMcpServerDefinition: async (definition: vscode.McpHttpServerDefinition) => {
          const address = await source.resolve();
          if (!address) return undefined;
          definition.uri =
            address.kind === 'tcp' || !address.socketPath
              ? vscode.Uri.parse(address.url)
              : vscode.Uri.from({ scheme: address.kind, path: address.socketPath, fragment: '/mcp' });
          definition.headers = address.headers;
          return definition;
        },
      }),
    createProblems: (name) => {
      const collection = vscode.languages.createDiagnosticCollection(name);
      return {
        set: (file, problems) =>
          collection.set(
            vscode.Uri.file(file),
            problems.map((problem) => {
              const diagnostic = new vscode.Diagnostic(
                new vscode.Range(problem.line, problem.column ?? 0, problem.end?.line ?? problem.line, problem.end?.column ?? Number.MAX_SAFE_INTEGER),
                problem.message,
                problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
              );
              diagnostic.source = problem.source;
              return diagnostic;
            }),
          ),
        clear: () => collection.clear(),
        dispose: () => collection.dispose(),
      };
    },
  };
}
