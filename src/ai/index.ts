/**
 * `rh-agents/ai`: LLM calls on the AI SDK (`ai` 6, an optional peer dependency). Importing this
 * entry without `ai` installed fails with a message that says what to install.
 */
export { ChatLLM } from './chat-llm.js';
export type { ChatLLMOptions, ChatModel, ProviderOptions } from './chat-llm.js';
export { ToolAgent } from './tool-agent.js';
export type { ToolAgentOptions } from './tool-agent.js';
export { MissingPeerDependencyError, ModelCallError, StepLimitError } from './errors.js';
export type {
  AgentStep,
  ChatInput,
  ChatResult,
  FinishReason,
  ModelMessage,
  PromptInput,
  ToolAgentResult,
  ToolCall,
  ToolChoice,
  ToolDeclaration,
  ToolResult,
  Usage,
} from './types.js';
