import { describe, expect, it } from 'vitest';
import { isRateLimitError, retryAfterMs } from '../../src/index.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads retry-after-ms from an AI SDK error (responseHeaders, a plain record)', () => {
    expect(retryAfterMs({ statusCode: 429, responseHeaders: { 'retry-after-ms': '250' } })).toBe(
      250,
    );
  });

  it('prefers retry-after-ms over retry-after seconds', () => {
    const error = { responseHeaders: { 'retry-after': '2', 'retry-after-ms': '1500.5' } };
    expect(retryAfterMs(error)).toBe(1500.5);
  });

  it('reads retry-after seconds, whole or fractional, with any header case', () => {
    expect(retryAfterMs({ headers: { 'Retry-After': '3' } })).toBe(3000);
    expect(retryAfterMs({ headers: { 'retry-after': ' 0.25 ' } })).toBe(250);
    expect(retryAfterMs({ headers: { 'retry-after': 2 } })).toBe(2000);
    expect(retryAfterMs({ headers: { 'retry-after': ['4'] } })).toBe(4000);
  });

  it('reads retry-after as an HTTP date, never below 0', () => {
    const later = new Date(now + 5000).toUTCString();
    expect(retryAfterMs({ headers: { 'retry-after': later } }, now)).toBe(5000);
    const past = new Date(now - 5000).toUTCString();
    expect(retryAfterMs({ headers: { 'retry-after': past } }, now)).toBe(0);
  });

  it('reads a Headers object (fetch, other SDKs)', () => {
    const headers = new Headers({ 'Retry-After-Ms': '40' });
    expect(retryAfterMs({ status: 429, headers })).toBe(40);
    const broken = {
      get: () => {
        throw new Error('closed');
      },
    };
    expect(retryAfterMs({ headers: broken })).toBeUndefined();
  });

  it('follows the cause chain of a wrapping error', () => {
    const inner = { statusCode: 429, responseHeaders: { 'retry-after-ms': '75' } };
    expect(
      retryAfterMs(new Error('wrapped', { cause: new Error('again', { cause: inner }) })),
    ).toBe(75);
  });

  it('is undefined without a usable header', () => {
    expect(retryAfterMs(new Error('plain'))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('429')).toBeUndefined();
    expect(retryAfterMs({ headers: null })).toBeUndefined();
    expect(retryAfterMs({ headers: { 'retry-after': 'soon' } })).toBeUndefined();
    expect(retryAfterMs({ headers: { 'retry-after': '' } })).toBeUndefined();
    expect(retryAfterMs({ headers: { 'retry-after-ms': '-5' } })).toBeUndefined();
    expect(retryAfterMs({ headers: { 'retry-after-ms': ' ', other: {} } })).toBeUndefined();
  });
});

describe('isRateLimitError', () => {
  it('is true for 429 and 503 in statusCode or status, also nested in cause', () => {
    expect(isRateLimitError({ statusCode: 429 })).toBe(true);
    expect(isRateLimitError({ status: 503 })).toBe(true);
    expect(isRateLimitError({ status: '429' })).toBe(true);
    expect(isRateLimitError(new Error('x', { cause: { statusCode: 429 } }))).toBe(true);
  });

  it('is false for other failures', () => {
    expect(isRateLimitError({ statusCode: 500 })).toBe(false);
    expect(isRateLimitError(new Error('429 in the message only'))).toBe(false);
    expect(isRateLimitError(null)).toBe(false);
  });
});
