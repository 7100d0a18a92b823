import { describe, expect, it } from 'vitest';
import { GroupTracker, MAX_STORED_FAILURES } from '../../src/printers/group-tracker.js';
import { GroupSim } from './helpers.js';

describe('GroupTracker', () => {
  it('follows the counts the group announces', () => {
    const sim = new GroupSim('Docs', 4);
    const t = new GroupTracker('Docs', 0);
    t.update(sim.start());
    expect(t).toMatchObject({
      groupId: 'Docs',
      name: 'Docs',
      total: 4,
      status: 'running',
      startTime: 1_000,
    });
    expect(t.completionPercentage).toBe(0);
    expect(t.isComplete).toBe(false);
    expect(t.successRate).toBe(0);
    t.update(sim.task(0));
    expect(t.update(sim.task(1, 'failed', { taskName: 'b', attempts: 3 }))).toEqual({
      index: 1,
      name: 'b',
      message: 'task 1 broke',
      attempts: 3,
    });
    t.update(sim.add(4));
    expect(t.total).toBe(8);
    expect(t.completionPercentage).toBe(25);
    t.update(sim.task(2, 'cancelled'));
    expect(t).toMatchObject({ completed: 1, failed: 1, cancelled: 1, retried: 1, started: 3 });
    t.update({ ...sim.task(3), type: 'breaker', breakerState: 'open' });
    expect(t.breakerState).toBe('open');
    t.update(sim.end('failed', { message: 'boom' }));
    expect(t).toMatchObject({
      status: 'failed',
      durationMs: 4_200,
      endTime: 1_000,
      message: 'boom',
    });
    expect(t.isComplete).toBe(true);
    expect(t.completionPercentage).toBe(100);
  });

  it('labels a group by its last segment and the branch it was opened in', () => {
    expect(new GroupTracker('Docs', 0).label).toBe('Docs');
    expect(new GroupTracker('Pipeline::Docs#2', 0).label).toBe('Docs#2');
    expect(new GroupTracker('Outer[3]::Inner', 0).label).toBe('[3] Inner');
    expect(new GroupTracker('Outer[3]::Worker::Inner', 0).label).toBe('[3] Inner');
  });

  it('an empty group is 0% until it ends, then 100%', () => {
    const sim = new GroupSim('E', 0);
    const t = new GroupTracker('E', 0);
    t.update(sim.start());
    expect(t.completionPercentage).toBe(0);
    t.update(sim.end());
    expect(t.completionPercentage).toBe(100);
    expect(t.status).toBe('completed');
  });

  it('keeps the first failures only, and counts them all', () => {
    const sim = new GroupSim('F', MAX_STORED_FAILURES + 5);
    const t = new GroupTracker('F', 0);
    t.update(sim.start());
    for (let i = 0; i < MAX_STORED_FAILURES + 5; i++)
      t.update(sim.task(i, 'failed', { message: undefined }));
    expect(t.failures).toHaveLength(MAX_STORED_FAILURES);
    expect(t.failed).toBe(MAX_STORED_FAILURES + 5);
    expect(t.failures[0]?.message).toBe('failed');
  });

  it('tolerates partial events', () => {
    const t = new GroupTracker('P', 0);
    t.update({ kind: 'group', type: 'task', groupId: 'P' } as never);
    expect(t).toMatchObject({ total: 0, failed: 0, retried: 0 });
    t.update({ kind: 'group', type: 'task', groupId: 'P', outcome: 'failed' } as never);
    expect(t.failures).toEqual([
      { index: -1, name: undefined, message: 'failed', attempts: undefined },
    ]);
  });
});
