/**
 * The snapshot format: applyEntry is pure, checkSnapshot refuses a newer major version or a
 * malformed snapshot with an error naming it and what to do, checkStateId refuses anything but
 * a plain identifier, and the errors carry their fields.
 */
import { describe, expect, it } from 'vitest';
import {
  CorruptStateError,
  RhAgentsError,
  STATE_FORMAT,
  STATE_FORMAT_VERSION,
  StateNotFoundError,
  StateVersionError,
  applyEntry,
  checkSnapshot,
  checkStateId,
} from '../../src/index.js';
import { crc32, crc32Js, decodeLogLine, encodeLogLine } from '../../src/recovery/log-line.js';
import { record, runEntry, sampleSnapshot } from './samples.js';

describe('applyEntry', () => {
  it('returns a new snapshot with the records appended and status, storage and updatedAt taken', () => {
    const snapshot = sampleSnapshot('s');
    const frozen = structuredClone(snapshot);
    const next = applyEntry(
      snapshot,
      runEntry(3, { status: 'completed', storage: { done: true } }),
    );
    expect(snapshot).toEqual(frozen);
    expect(next.history).toEqual([...snapshot.history, ...runEntry(3).records]);
    expect(next).toMatchObject({
      status: 'completed',
      storage: { done: true },
      updatedAt: runEntry(3).updatedAt,
    });
    const unchanged = applyEntry(next, { records: [], updatedAt: 1 });
    expect(unchanged).toMatchObject({ status: 'completed', storage: { done: true }, updatedAt: 1 });
    expect(unchanged.metadata).toBe(snapshot.metadata);
  });
});

describe('checkSnapshot', () => {
  const where = "state 'abc' (/data/abc.json)";

  it('returns a valid snapshot as it is', () => {
    const snapshot = sampleSnapshot('abc');
    expect(checkSnapshot(snapshot, where)).toBe(snapshot);
    expect(STATE_FORMAT).toBe('rh-agents/state');
    expect(STATE_FORMAT_VERSION).toBe(1);
  });

  it('refuses a newer major version with a StateVersionError that says to upgrade', () => {
    const error = (() => {
      try {
        return checkSnapshot(
          { ...sampleSnapshot('abc'), version: 2, history: 'a shape from the future' },
          where,
        );
      } catch (e) {
        return e;
      }
    })() as StateVersionError;
    expect(error).toBeInstanceOf(StateVersionError);
    expect(error).toBeInstanceOf(RhAgentsError);
    expect(error).toMatchObject({
      name: 'StateVersionError',
      version: 2,
      supportedVersion: 1,
      location: where,
    });
    expect(error.message).toBe(
      "state 'abc' (/data/abc.json) was written in state format version 2 by a newer rh-agents; this one reads format 1 and older. Upgrade rh-agents to load it (it was not changed).",
    );
  });

  it('refuses a malformed snapshot with a CorruptStateError naming it, the field and what to do', () => {
    const good = sampleSnapshot('abc');
    const cases: [unknown, string][] = [
      [null, 'expected an object, got null'],
      [[good], 'expected an object, got an array'],
      [{ ...good, format: 'other' }, '`format` is "other", expected \'rh-agents/state\''],
      [{ ...good, format: undefined }, '`format` is missing'],
      [{ ...good, version: 0 }, '`version` must be a whole number from 1 up, got `0` (number)'],
      [{ ...good, stateId: '' }, '`stateId` must be a non-empty string, got `""` (string)'],
      [
        { ...good, createdAt: 'yesterday' },
        '`createdAt` must be a finite number, got `"yesterday"` (string)',
      ],
      [{ ...good, updatedAt: null }, '`updatedAt` must be a finite number, got null'],
      [
        { ...good, status: 'paused' },
        '`status` must be one of running, completed, failed, interrupted, got `"paused"` (string)',
      ],
      [{ ...good, metadata: undefined }, '`metadata` must be an object, got nothing'],
      [{ ...good, metadata: { tags: 'a' } }, '`metadata.tags` must be an array of strings'],
      [
        { ...good, metadata: { tags: [], pipeline: 3 } },
        '`metadata.pipeline` must be a string when present, got `3` (number)',
      ],
      [
        { ...good, metadata: { tags: [], custom: [] } },
        '`metadata.custom` must be an object when present, got an array',
      ],
      [{ ...good, history: {} }, '`history` must be an array, got an object'],
      [{ ...good, history: [1] }, 'history[0]: expected a record object, got `1` (number)'],
      [
        { ...good, history: [{ ...record('a', 1), actor: 'x' }] },
        'history[0]: `actor` must be an object with a string `name`',
      ],
      [
        { ...good, history: [{ ...record('a', 1), actor: { name: 'x', eventType: 'job' } }] },
        '`actor.eventType` must be one of agent_call, tool_call, llm_call, got `"job"` (string)',
      ],
      [
        { ...good, history: [record('a', 1), { ...record('a', 2), isParallel: 'yes' }] },
        'history[1]: `isParallel` must be a boolean',
      ],
      [
        { ...good, history: [{ ...record('a', 1), executionTimeMs: Infinity }] },
        '`executionTimeMs` must be a finite number when present, got `Infinity` (number)',
      ],
      [
        { ...good, history: [{ ...record('a', 1), error: { name: 'E' } }] },
        '`error` must be an object with string `name` and `message` when present',
      ],
      [
        { ...good, history: [{ ...record('a', 1), address: 'x'.repeat(60) }] },
        undefined as unknown as string,
      ],
      [{ ...good, storage: [] }, '`storage` must be an object, got an array'],
    ];
    for (const [value, problem] of cases) {
      if (problem === undefined) {
        expect(checkSnapshot(value, where)).toBe(value);
        continue;
      }
      const error = (() => {
        try {
          checkSnapshot(value, where);
        } catch (e) {
          return e;
        }
      })() as CorruptStateError;
      expect(error, problem).toBeInstanceOf(CorruptStateError);
      expect(error.message).toContain(
        `state 'abc' (/data/abc.json) is not a valid rh-agents state: `,
      );
      expect(error.message).toContain(problem);
      expect(error.message).toContain(
        'Restore it from a backup, or delete it (the state is lost).',
      );
      expect(error.location).toBe(where);
    }
  });
});

describe('checkStateId', () => {
  it('accepts plain identifiers up to 128 characters', () => {
    for (const id of ['a', 'report-2024_07', 'A9', 'x'.repeat(128)])
      expect(() => checkStateId(id, 'Test')).not.toThrow();
  });

  it('refuses anything else with a TypeError naming the caller, the value and what fits', () => {
    expect(() => checkStateId('../x', 'MyBackend.load')).toThrow(
      new TypeError(
        "MyBackend.load: invalid state id `\"../x\"` (string); a state id is 1 to 128 letters, digits, '_' or '-' (no '/', '.' or spaces), e.g. 'report-2024_07'.",
      ),
    );
    for (const id of [
      '',
      'a/b',
      'a b',
      'x'.repeat(129),
      'ünï',
      'a\n',
      1,
      null,
      undefined,
      {},
      ['a'],
    ]) {
      expect(() => checkStateId(id, 'T'), String(id)).toThrow(TypeError);
    }
    expect(() => checkStateId('x'.repeat(200), 'T')).toThrow(/`"x{79}…` \(string\)/);
  });
});

describe('errors', () => {
  it('carry their fields and a default message', () => {
    const missing = new StateNotFoundError('abc', '/data');
    expect(missing).toMatchObject({
      name: 'StateNotFoundError',
      stateId: 'abc',
      location: '/data',
    });
    expect(missing.message).toBe(
      "No state 'abc' is stored in /data. Check the id: backend.list() shows the stored states.",
    );
    const corrupt = new CorruptStateError();
    expect(corrupt).toMatchObject({
      name: 'CorruptStateError',
      location: 'unknown',
      line: undefined,
      offset: undefined,
    });
    expect(corrupt.message).toMatch(/Restore it from a backup, or delete it/);
    const cause = new Error('disk');
    expect(
      new CorruptStateError('bad', { location: 'f', line: 3, offset: 10, cause }),
    ).toMatchObject({ line: 3, offset: 10, cause });
  });
});

describe('log lines', () => {
  it('carry a CRC-32 (as zlib computes it) that a torn or edited line fails', () => {
    for (const text of ['', 'hello', 'ünïcödé ✓ 😀', 'x'.repeat(1000)]) {
      expect(crc32Js(Buffer.from(text))).toBe(crc32(text));
    }
    expect(crc32('hello')).toBe(0x3610a686);
    const line = encodeLogLine(7, 'running', JSON.stringify(runEntry(1))).slice(0, -1);
    expect(decodeLogLine(line)).toEqual({ seq: 7, status: 'running', entry: runEntry(1) });
    expect(decodeLogLine(line.slice(0, -3))).toMatchObject({
      problem: 'torn',
      detail: 'the line has no checksum at its end',
    });
    expect(decodeLogLine(line.replace('"page"', '"pagE"'))).toMatchObject({
      problem: 'torn',
      detail: 'the checksum does not match the line',
    });
    const body = (seq: unknown, status: string): string =>
      encodeLogLine(seq as number, status as 'running', '{"records":[],"updatedAt":1}').slice(
        0,
        -1,
      );
    expect(decodeLogLine(body(0, 'running'))).toMatchObject({
      problem: 'invalid',
      detail: '`seq` must be a whole number from 1 up',
    });
    expect(decodeLogLine(body(1, 'paused'))).toMatchObject({
      problem: 'invalid',
      detail: '`status` is not a state status',
    });
  });
});
