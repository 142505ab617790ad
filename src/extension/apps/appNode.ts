/** An app row of the DingTalk view; also what its inline and context-menu commands receive as their argument. */
export interface AppNode {
  kind: 'app';
  appKey: string;
}

export const appNode = (appKey: string): AppNode => ({ kind: 'app', appKey });

/** The app an inline or context-menu command was run on, when it was run from the DingTalk view. */
export function appKeyFromNode(argument: unknown): string | undefined {
  const node = argument as Partial<AppNode> | undefined;
  return node?.kind === 'app' && typeof node.appKey === 'string' ? node.appKey : undefined;
}
