import { z } from 'zod';
import { ai } from './sdk.js';
import type { ChatInput, PromptInput } from './types.js';

/** What providers accept as a tool name (OpenAI's rule, the strictest common one). */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const promptFields = {
  prompt: z.string().optional(),
  messages: z.array(ai.modelMessageSchema).min(1).optional(),
};

function exactlyOne(value: { prompt?: unknown; messages?: unknown }, ctx: z.RefinementCtx): void {
  const given = [value.prompt, value.messages].filter((v) => v !== undefined).length;
  if (given !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        given === 0
          ? 'expected `prompt` (a string) or `messages` (AI SDK model messages), got neither'
          : 'expected `prompt` or `messages`, not both',
    });
  }
}

/** `{ prompt }` or `{ messages }`: the input of a `ToolAgent`. */
export const promptInputSchema = z
  .strictObject(promptFields)
  .superRefine(exactlyOne) as unknown as z.ZodType<PromptInput, PromptInput>;

const toolDeclarationSchema = z.strictObject({
  name: z
    .string()
    .regex(TOOL_NAME, "a tool name has only letters, digits, '_' and '-', at most 64 of them"),
  description: z.string().optional(),
  inputSchema: z.record(z.string(), z.unknown()),
});

const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.strictObject({ type: z.literal('tool'), toolName: z.string() }),
]);

/** `{ prompt } | { messages }` with optional `tools` and `toolChoice`: the input of a `ChatLLM`. */
export const chatInputSchema = z
  .strictObject({
    ...promptFields,
    tools: z.array(toolDeclarationSchema).optional(),
    toolChoice: toolChoiceSchema.optional(),
  })
  .superRefine(exactlyOne) as unknown as z.ZodType<ChatInput, ChatInput>;

export type ChatInputSchema = typeof chatInputSchema;
export type PromptInputSchema = typeof promptInputSchema;
