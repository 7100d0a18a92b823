import { isInstance, messageOf } from '../util/describe.js';
import { ConditionError, InputValidationError, OutputValidationError } from '../util/errors.js';
import type { ExecutionState } from '../state/execution-state.js';
import type { AnyActor } from './actors.js';

/**
 * The checks around a handler: the input schema before it, preconditions, then the output schema
 * and postconditions after each attempt. Each failure is an error whose message names the actor
 * and says what to fix; none of them is retried.
 */

type Parsed = { ok: true; value: unknown } | { ok: false; error: InputValidationError };

/** The input parsed by the actor's schema, or the error that names the offending fields. */
export async function parseInput(actor: AnyActor, input: unknown): Promise<Parsed> {
  let parsed: Awaited<ReturnType<typeof actor.inputSchema.safeParseAsync>>;
  try {
    parsed = await actor.inputSchema.safeParseAsync(input);
  } catch (error) {
    // A refinement or transform that throws (instead of adding an issue) must not reject the run.
    return {
      ok: false,
      error: new InputValidationError(
        `Invalid input for ${actor.name}: its inputSchema threw: ${messageOf(error)}. The handler was not called.`,
        actor.name,
        [],
        { cause: error },
      ),
    };
  }
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues: readonly { path: readonly PropertyKey[]; message: string }[] = parsed.error.issues;
  const fields = issues.map((issue) =>
    issue.path.length > 0 ? issue.path.map(String).join('.') : '(input)',
  );
  const parts = issues.map((issue, i) => `\`${fields[i]}\`: ${issue.message}`);
  return {
    ok: false,
    error: new InputValidationError(
      `Invalid input for ${actor.name}: ${parts.join('; ')}. The handler was not called; pass input that matches its inputSchema.`,
      actor.name,
      fields,
    ),
  };
}

/** Runs the preconditions in order; resolves to the error of the first that fails, if any. */
export async function checkPreconditions(
  actor: AnyActor,
  value: unknown,
  context: unknown,
  state: ExecutionState,
  inFrame: <R>(fn: () => R) => R,
): Promise<ConditionError | undefined> {
  try {
    for (const [i, check] of actor.preconditions.entries()) {
      const passed = await inFrame(() => check(value, context, state));
      if (passed === false)
        return new ConditionError(
          `Precondition ${check.name ? `'${check.name}'` : `#${i + 1}`} of ${actor.name} failed; the handler was not called.`,
        );
    }
  } catch (error) {
    return isInstance(error, ConditionError)
      ? error
      : new ConditionError(`Precondition of ${actor.name} threw: ${messageOf(error)}`, {
          cause: error,
        });
  }
  return undefined;
}

/**
 * The handler's result through the output schema (its parsed output is the run's result) and the
 * postconditions; throws an `OutputValidationError` or `ConditionError` when one fails.
 */
export async function checkOutput(
  actor: AnyActor,
  result: unknown,
  value: unknown,
  context: unknown,
  state: ExecutionState,
  inFrame: <R>(fn: () => R) => R,
): Promise<unknown> {
  if (actor.outputSchema) {
    const out = await actor.outputSchema.safeParseAsync(result);
    if (!out.success) {
      const where = out.error.issues
        .map((issue) => `\`${issue.path.map(String).join('.') || '(result)'}\`: ${issue.message}`)
        .join('; ');
      throw new OutputValidationError(
        `${actor.name} returned a result that fails its outputSchema: ${where}. Fix the handler or widen the outputSchema.`,
      );
    }
    result = out.data;
  }
  for (const [i, check] of actor.postconditions.entries()) {
    let passed: boolean;
    try {
      passed = await inFrame(() => check(result, value, context, state));
    } catch (error) {
      throw new ConditionError(`Postcondition of ${actor.name} threw: ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (passed === false)
      throw new ConditionError(
        `Postcondition ${check.name ? `'${check.name}'` : `#${i + 1}`} of ${actor.name} failed.`,
      );
  }
  return result;
}
