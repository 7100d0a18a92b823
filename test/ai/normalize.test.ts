import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MissingPeerDependencyError, ModelCallError, StepLimitError } from '../../src/ai/index.js';
import {
  addUsage,
  describeMismatch,
  normalizeResponse,
  normalizeUsage,
  toJson,
} from '../../src/ai/normalize.js';
import { RhAgentsError } from '../../src/index.js';

describe('normalizing AI SDK results', () => {
  it('makes every usage count a number, 0 when not reported, total from the parts when absent', () => {
    expect(normalizeUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    expect(normalizeUsage({ inputTokens: 5, outputTokens: undefined })).toEqual({
      inputTokens: 5,
      outputTokens: 0,
      totalTokens: 5,
    });
    expect(normalizeUsage({ inputTokens: 2, outputTokens: 3, totalTokens: NaN })).toEqual({
      inputTokens: 2,
      outputTokens: 3,
      totalTokens: 5,
    });
    expect(
      addUsage(
        { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
        { inputTokens: 4, outputTokens: 5, totalTokens: 9 },
      ),
    ).toEqual({ inputTokens: 5, outputTokens: 7, totalTokens: 12 });
  });

  it('copies values as plain JSON, refusing what JSON cannot hold', () => {
    expect(toJson(undefined, 'x')).toBeNull();
    expect(toJson(() => 1, 'x')).toBeNull();
    expect(toJson({ at: new Date(0), n: 1 }, 'x')).toEqual({
      at: '1970-01-01T00:00:00.000Z',
      n: 1,
    });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => toJson(cycle, 'The result')).toThrow(/^The result is not JSON: /);
  });

  it('keeps only string response ids', () => {
    expect(normalizeResponse(undefined)).toEqual({});
    expect(normalizeResponse({ id: 7, modelId: 'm' })).toEqual({ modelId: 'm' });
  });

  it('describes why a reply is not an object of the schema', async () => {
    const schema = z.object({ a: z.number() });
    expect(await describeMismatch('{"a":"x"}', schema)).toBe(
      '`a`: Invalid input: expected number, received string',
    );
    expect(await describeMismatch('[1]', z.number())).toBe(
      '`(reply)`: Invalid input: expected number, received array',
    );
    expect(await describeMismatch('x'.repeat(200), schema)).toMatch(
      /^the reply is not JSON \(.*\): "x{117}\.\.\."$/,
    );
    expect(await describeMismatch('{"a":1}', schema)).toBe(
      'the reply could not be read as an object',
    );
  });
});

describe('errors of rh-agents/ai', () => {
  it('are RhAgentsErrors with a name and a default message that says what to do', () => {
    for (const E of [MissingPeerDependencyError, ModelCallError, StepLimitError]) {
      const error = new E();
      expect(error).toBeInstanceOf(RhAgentsError);
      expect(error.name).toBe(E.name);
      expect(error.message.length).toBeGreaterThan(20);
    }
    const cause = new Error('inner');
    expect(new ModelCallError('m', { cause, address: 'A::B::llm_call' })).toMatchObject({
      cause,
      address: 'A::B::llm_call',
    });
    expect(new ModelCallError().address).toBeUndefined();
  });
});
