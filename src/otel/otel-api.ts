/**
 * Loads the OpenTelemetry API (`@opentelemetry/api`), an optional peer dependency: importing
 * `rh-agents/otel` without it fails here with a message that says what to install. The package
 * root never imports this file.
 */
import type * as OtelApi from '@opentelemetry/api';
import { MissingPeerDependencyError } from '../index.js';

async function load(): Promise<typeof OtelApi> {
  try {
    return await import('@opentelemetry/api');
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : '';
    if (
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      /Cannot find (package|module) '@opentelemetry\/api'/.test(message)
    ) {
      throw new MissingPeerDependencyError(
        'rh-agents/otel needs the OpenTelemetry API, an optional peer dependency that is not installed: run `npm install @opentelemetry/api@^1.9`, plus an SDK that records and exports the spans, e.g. `npm install @opentelemetry/sdk-trace-node@^2`.',
        { cause: error },
      );
    }
    throw error;
  }
}

/** The OpenTelemetry API module. */
export const otel: typeof OtelApi = await load();
