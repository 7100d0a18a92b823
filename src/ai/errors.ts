import { RhAgentsError } from '../index.js';

// Shared by every subpath with an optional peer, so it lives at the root.
export { MissingPeerDependencyError } from '../index.js';

/** A `ToolAgent` reached `maxSteps` model calls and the model still asked for tools. */
export class StepLimitError extends RhAgentsError {
  override name = 'StepLimitError';
  constructor(
    message = 'The agent reached its maxSteps model calls and the model still asked for tools; raise maxSteps or make the task smaller.',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A model call of a `ToolAgent` failed after its retries; `cause` is the call's own error. */
export class ModelCallError extends RhAgentsError {
  override name = 'ModelCallError';
  constructor(
    message = 'A model call failed after its retries.',
    options?: { cause?: unknown; address?: string },
  ) {
    super(message, options);
    this.address = options?.address;
  }
  /** The address of the model call that failed, e.g. `Researcher::Writer#2::llm_call`. */
  readonly address: string | undefined;
}
