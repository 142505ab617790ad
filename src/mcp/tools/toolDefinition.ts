import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod/v4';
import type { ToolContext } from './context';

/** One tool as agents see it (title, description, schemas, annotations) and what it does. */
export interface ToolDefinition<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  title: string;
  description: string;
  annotations: ToolAnnotations;
  input: I;
  output: O;
  /**
   * The arguments as the policy, the person approving and `run` see them: the app resolved to its appKey, a
   * request in its canonical spelling, a robot left unnamed named. Throws (nothing is sent) when they have none.
   */
  canonical?(args: z.infer<z.ZodObject<I>>, context: ToolContext): z.infer<z.ZodObject<I>>;
  run(args: z.infer<z.ZodObject<I>>, context: ToolContext, now: number): Promise<z.infer<z.ZodObject<O>>>;
}

/** Keeps each tool's argument and result types tied to its schemas. */
export const define = <I extends z.ZodRawShape, O extends z.ZodRawShape>(definition: ToolDefinition<I, O>) => definition;
