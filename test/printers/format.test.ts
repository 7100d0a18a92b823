import { describe, expect, it } from 'vitest';
import {
  formatBar,
  formatDuration,
  formatPercent,
  formatRate,
  renderSegments,
  statusStyle,
  truncate,
  visibleLength,
} from '../../src/printers/format.js';
import { createPalette } from '../../src/printers/color.js';
import { shortJson } from '../../src/printers/short-json.js';
import {
  branchSegment,
  depthOf,
  groupDepthOf,
  insideBranch,
} from '../../src/printers/tree-format.js';

describe('formatDuration', () => {
  it.each([
    [undefined, '?'],
    [Number.NaN, '?'],
    [-1, '?'],
    [0.4, '<1 ms'],
    [12.4, '12 ms'],
    [999.4, '999 ms'],
    [999.6, '1.00 s'],
    [4_200, '4.20 s'],
    [59_990, '59.99 s'],
    [125_000, '2m 05s'],
    [3_720_000, '1h 02m'],
  ])('%s ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('numbers', () => {
  it('formats rates, percentages and bars', () => {
    expect(formatRate(7.14)).toBe('7.1/s');
    expect(formatRate(250.4)).toBe('250/s');
    expect(formatRate(0)).toBe('0/s');
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe('0/s');
    expect(formatPercent(55)).toBe('55%');
    expect(formatPercent(92.5)).toBe('92.5%');
    expect(formatPercent(66.666)).toBe('66.7%');
    expect(formatBar(0.5, 10)).toBe('█████░░░░░');
    expect(formatBar(2, 4)).toBe('████');
    expect(formatBar(-1, 4)).toBe('░░░░');
    expect(formatBar(Number.NaN, 4)).toBe('░░░░');
  });
});

describe('text fitting', () => {
  it('truncates by code points with an ellipsis', () => {
    expect(truncate('abcdef', 10)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', 0)).toBe('');
    expect(truncate('✔✔✔✔', 3)).toBe('✔✔…');
    expect(visibleLength('█░✔')).toBe(3);
  });

  it('renders segments within a width, painting only what is kept', () => {
    const red = (s: string) => `<${s}>`;
    const segs = [{ text: 'abc' }, { text: 'defgh', style: red }, { text: 'ij' }];
    expect(renderSegments(segs)).toBe('abc<defgh>ij');
    expect(renderSegments(segs, 10)).toBe('abc<defgh>ij');
    expect(renderSegments(segs, 6)).toBe('abc<de>…');
    expect(renderSegments(segs, 3)).toBe('ab…');
    expect(renderSegments(segs, 1)).toBe('…');
    expect(renderSegments(segs, 0)).toBe('');
  });

  it('counts wide characters as two cells, combining marks as none, controls as shown', () => {
    expect(visibleLength('文档')).toBe(4);
    expect(visibleLength('e\u0301')).toBe(1);
    expect(visibleLength('a\u001bb\n')).toBe(4);
    expect(visibleLength('\u202e')).toBe(6);
    expect(visibleLength('⚡ok')).toBe(4);
    expect(truncate('文档处理', 5)).toBe('文档…');
    expect(truncate('文档处理', 4)).toBe('文…');
    expect(renderSegments([{ text: 'ab' }, { text: '文档' }], 4)).toBe('ab…');
  });

  it('shows values as short JSON', () => {
    expect(shortJson({ a: 1 }, 20)).toBe('{"a":1}');
    expect(shortJson('plain', 20)).toBe('plain');
    expect(shortJson('x'.repeat(30), 10)).toBe('xxxxxxxxx…');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(shortJson(cyclic, 40)).toBe('{"self":[Circular]}');
    expect(shortJson(undefined, 40)).toBe('undefined');
  });

  it('colours statuses', () => {
    const p = createPalette(true);
    expect(statusStyle('completed', p)('x')).toBe(p.green('x'));
    expect(statusStyle('failed', p)('x')).toBe(p.red('x'));
    expect(statusStyle('retrying', p)('x')).toBe(p.yellow('x'));
    expect(statusStyle('recovered', p)('x')).toBe(p.magenta('x'));
    expect(statusStyle('started', p)('x')).toBe(p.cyan('x'));
    expect(statusStyle('awaiting', p)('x')).toBe(p.dim('x'));
  });
});

describe('addresses', () => {
  it('gives the depth as the number of :: minus one; branches count', () => {
    expect(depthOf('Pipeline::agent_call')).toBe(0);
    expect(depthOf('Pipeline::FetchDoc::tool_call')).toBe(1);
    expect(depthOf('Docs[3]::FetchDoc::tool_call')).toBe(1);
    expect(depthOf('Pipeline::Docs[3]::FetchDoc::tool_call')).toBe(2);
    expect(depthOf('odd')).toBe(0);
    expect(groupDepthOf('Docs')).toBe(0);
    expect(groupDepthOf('Pipeline::Docs')).toBe(1);
    expect(groupDepthOf('Outer[2]::Inner')).toBe(1);
  });

  it('finds the branch a run sits directly in', () => {
    expect(branchSegment('Docs[3]::FetchDoc::tool_call')).toBe('Docs[3]');
    expect(branchSegment('Docs[3]::FetchDoc::Parse::tool_call')).toBeUndefined();
    expect(branchSegment('FetchDoc::tool_call')).toBeUndefined();
    expect(insideBranch('Docs[3]::FetchDoc::Parse::tool_call')).toBe(true);
    expect(insideBranch('Docs::tool_call')).toBe(false);
    expect(insideBranch(undefined)).toBe(false);
  });
});
