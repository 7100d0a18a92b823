import { GroupStatus } from '../util/enums.js';

/** A mean and a 95th percentile, in milliseconds. */
export interface Distribution {
  count: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
}

/** Everything the parallel groups of one state did, from `state.metrics()`. */
export interface ParallelMetrics {
  groups: { total: number; running: number; completed: number; failed: number; cancelled: number };
  tasks: { total: number; running: number; completed: number; failed: number; cancelled: number };
  /** Most branches running at once across every group of the state. */
  peakConcurrency: number;
  /** From `add` to the task's start. */
  queueWait: Distribution;
  /** From the task's start to its end, retries included. */
  taskDuration: Distribution;
  /** Group retry attempts (not counting first attempts). */
  retries: number;
  /** Tasks refused by a circuit breaker. */
  breakerRefusals: number;
}

const RESERVOIR = 4096;

/**
 * Count, sum and max exactly; the percentile from a uniform sample of at most 4096 values
 * (exact below that), so memory stays bounded however many tasks run.
 */
class Sampler {
  count = 0;
  #sum = 0;
  #max = 0;
  readonly #sample: number[] = [];

  add(value: number): void {
    this.count++;
    this.#sum += value;
    if (value > this.#max) this.#max = value;
    if (this.#sample.length < RESERVOIR) this.#sample.push(value);
    else {
      const j = Math.floor(Math.random() * this.count);
      if (j < RESERVOIR) this.#sample[j] = value;
    }
  }

  summary(): Distribution {
    if (this.count === 0) return { count: 0, meanMs: 0, p95Ms: 0, maxMs: 0 };
    const sorted = [...this.#sample].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] as number;
    return { count: this.count, meanMs: this.#sum / this.count, p95Ms: p95, maxMs: this.#max };
  }
}

/** @internal Collects the metrics of one state's groups; the managers report to it. */
export class MetricsCollector {
  #groups = { total: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  #tasks = { total: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  #peak = 0;
  #retries = 0;
  #refusals = 0;
  readonly #wait = new Sampler();
  readonly #duration = new Sampler();

  groupStarted(): void {
    this.#groups.total++;
    this.#groups.running++;
  }

  groupFinished(status: GroupStatus): void {
    this.#groups.running--;
    if (status === GroupStatus.COMPLETED) this.#groups.completed++;
    else if (status === GroupStatus.FAILED) this.#groups.failed++;
    else this.#groups.cancelled++;
  }

  tasksAdded(count: number): void {
    this.#tasks.total += count;
  }

  taskStarted(waitMs: number): void {
    this.#wait.add(waitMs);
    if (++this.#tasks.running > this.#peak) this.#peak = this.#tasks.running;
  }

  taskEnded(durationMs: number): void {
    this.#tasks.running--;
    this.#duration.add(durationMs);
  }

  taskOutcome(outcome: 'completed' | 'failed' | 'cancelled', count = 1): void {
    this.#tasks[outcome] += count;
  }

  retried(): void {
    this.#retries++;
  }

  refused(): void {
    this.#refusals++;
  }

  snapshot(): ParallelMetrics {
    return {
      groups: { ...this.#groups },
      tasks: { ...this.#tasks },
      peakConcurrency: this.#peak,
      queueWait: this.#wait.summary(),
      taskDuration: this.#duration.summary(),
      retries: this.#retries,
      breakerRefusals: this.#refusals,
    };
  }
}
