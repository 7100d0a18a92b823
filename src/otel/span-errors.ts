/**
 * What a span says about an error. Errors come from user code and may be hostile (a throwing
 * `message` getter, a revoked Proxy): everything here reads them without ever throwing, so a
 * tracing hook cannot break the run it traces.
 */
import type { Exception } from '@opentelemetry/api';
import { isInstance, messageOf, safeGet, stackOf } from '../util/describe.js';
import { OTHER_ERROR_TYPE } from './semconv.js';

/** `error.type`: the error's `name` (`InputValidationError`, `TypeError`, …), else `_OTHER`. */
export function errorTypeOf(error: unknown): string {
  if (!isInstance(error, Error)) return OTHER_ERROR_TYPE;
  const name = safeGet(error, 'name');
  return typeof name === 'string' && name !== '' ? name : OTHER_ERROR_TYPE;
}

/** The error as `span.recordException()` takes it, read once and safely. */
export function exceptionOf(error: unknown): Exception {
  const exception: Exception = { name: errorTypeOf(error), message: messageOf(error) };
  if (isInstance(error, Error)) exception.stack = stackOf(error);
  return exception;
}
