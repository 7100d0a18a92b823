import { argumentVariants, valueFromSchema } from './json-from-schema.js';
import {
  type ChatCompletionRequest,
  type ChatMessage,
  type SimulatedCompletion,
  textOf,
} from './protocol.js';

/** How many calls of one tool the simulated model makes in one step, at most. */
const MAX_CALLS_PER_TOOL = 5;

/**
 * The built-in simulated model. Deterministic: the same request gets the same answer.
 *
 * - Tools offered and no tool result in the conversation yet: it calls the tools, all in one step
 *   (parallel tool calls): each tool once, or once per value of its first `enum` parameter.
 * - Otherwise it answers: with JSON matching the requested `response_format` schema, or with text
 *   that sums up the tool results it was given (or echoes the question).
 */
export function simulatedCompletion(request: ChatCompletionRequest): SimulatedCompletion {
  const messages = Array.isArray(request.messages) ? request.messages : [];
  const toolResults = messages.filter((m) => m.role === 'tool');
  const tools = Array.isArray(request.tools) ? request.tools : [];
  if (tools.length > 0 && toolResults.length === 0 && request.tool_choice !== 'none') {
    const toolCalls = tools.flatMap((tool) =>
      argumentVariants(tool.function.parameters, MAX_CALLS_PER_TOOL).map((args) => ({
        name: tool.function.name,
        arguments: args,
      })),
    );
    return { toolCalls };
  }
  const answer = answerText(messages, toolResults);
  const format = request.response_format;
  if (format?.type === 'json_schema') {
    return {
      json: valueFromSchema(format.json_schema.schema, (key) =>
        /summary|answer|text|content|description/i.test(key) ? answer : `simulated ${key}`,
      ),
    };
  }
  if (format?.type === 'json_object') return { json: { answer } };
  return { text: answer };
}

function answerText(messages: ChatMessage[], toolResults: ChatMessage[]): string {
  if (toolResults.length > 0) {
    const parts = toolResults.map((m) => {
      const text = textOf(m.content).replace(/\s+/g, ' ').trim();
      return text.length > 60 ? `${text.slice(0, 57)}...` : text;
    });
    return `Summary of ${toolResults.length} tool result${toolResults.length === 1 ? '' : 's'}: ${parts.join(' | ')}`;
  }
  const question = [...messages].reverse().find((m) => m.role === 'user');
  const text = textOf(question?.content).replace(/\s+/g, ' ').trim();
  return `Simulated answer to: ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}
