/**
 * Loads the AI SDK (`ai`), an optional peer dependency: importing `rh-agents/ai` without it fails
 * here with a message that says what to install. The package root never imports this file.
 */
import type * as AISDK from 'ai';
import { MissingPeerDependencyError } from '../index.js';

async function load(): Promise<typeof AISDK> {
  try {
    return await import('ai');
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : '';
    if (
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      /Cannot find (package|module) 'ai'/.test(message)
    ) {
      throw new MissingPeerDependencyError(
        'rh-agents/ai needs the AI SDK, an optional peer dependency that is not installed: run `npm install ai@^6`, plus a provider package for your model, e.g. `npm install @ai-sdk/openai-compatible@^2` (ai 7 needs Node.js 22).',
        { cause: error },
      );
    }
    throw error;
  }
}

/** The AI SDK module. */
export const ai: typeof AISDK = await load();
