/** A robot row of the DingTalk view; also what its inline commands receive as their argument. */
export interface RobotNode {
  kind: 'robot';
  name: string;
}

export const robotNode = (name: string): RobotNode => ({ kind: 'robot', name });

/** The robot an inline command was run on, when it was run from the DingTalk view. */
export function robotNameFromNode(argument: unknown): string | undefined {
  const node = argument as Partial<RobotNode> | undefined;
  return node?.kind === 'robot' && typeof node.name === 'string' ? node.name : undefined;
}
