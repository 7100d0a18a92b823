import { describe, expect, it } from 'vitest';
import { LiveArea, Output } from '../../src/printers/output.js';
import { FakeStream, screen } from './helpers.js';

describe('Output', () => {
  it('reads the size of the stream, with fallbacks', () => {
    expect(new Output(new FakeStream(true, 120, 40)).columns()).toBe(120);
    expect(new Output(new FakeStream(true, 120, 40)).rows()).toBe(40);
    expect(new Output(new FakeStream(true)).columns()).toBe(80);
    expect(new Output(new FakeStream(true, 0, Number.NaN)).columns(50)).toBe(50);
    expect(new Output(new FakeStream(true, 0, Number.NaN)).rows()).toBe(24);
    expect(new Output(new FakeStream(true)).isTTY).toBe(true);
    expect(new Output(new FakeStream(false)).isTTY).toBe(false);
  });

  it('stops writing after a write threw, and never throws itself', () => {
    let calls = 0;
    const output = new Output({
      write() {
        calls++;
        throw new Error('closed');
      },
    });
    output.lines(['a']);
    output.raw('b');
    output.lines([]);
    expect(calls).toBe(1);
    expect(output.broken).toBe(true);
  });
});

describe('LiveArea', () => {
  it('redraws in place with cursor-up and erase-line, in one write per update', () => {
    const stream = new FakeStream(true);
    const live = new LiveArea(new Output(stream));
    live.render(['one', 'two']);
    expect(stream.chunks).toEqual(['\u001b[2Kone\n\u001b[2Ktwo\n\u001b[J']);
    live.render(['three']);
    expect(stream.chunks[1]).toBe('\u001b[2A\r\u001b[2Kthree\n\u001b[J');
    expect(live.height).toBe(1);
    expect(screen(stream.text)).toEqual(['three']);
  });

  it('writes permanent lines above the block', () => {
    const stream = new FakeStream(true);
    const live = new LiveArea(new Output(stream));
    live.render(['bar 1', 'bar 2']);
    live.print(['a long permanent line']);
    live.update(['done'], ['bar 2 again']);
    expect(screen(stream.text)).toEqual(['a long permanent line', 'done', 'bar 2 again']);
    live.update([], []);
    expect(screen(stream.text)).toEqual(['a long permanent line', 'done']);
    const before = stream.chunks.length;
    live.update([], []);
    live.print([]);
    expect(stream.chunks.length).toBe(before);
    live.render(['x']);
    live.release();
    live.print(['after']);
    expect(screen(stream.text)).toEqual(['a long permanent line', 'done', 'x', 'after']);
  });
});
