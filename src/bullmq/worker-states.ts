/**
 * The execution states a worker runs its jobs on: one per coordinator state id while that state has
 * jobs here, shared by its concurrent jobs (as the runs of one state share it on the coordinator),
 * instead of a new state per job. Each job's records are routed back to that job by address. A
 * state is dropped when its last job ends, and replaced after it has served `JOBS_PER_STATE` jobs
 * or once it was interrupted, so a long-lived worker's memory stays bounded.
 */
import { type ExecutionRecord, ExecutionState } from '../index.js';

/** Jobs one worker-side state serves before the next job gets a fresh one (its history is bounded). */
const JOBS_PER_STATE = 500;

type Route = (record: ExecutionRecord) => void;

export class WorkerState {
  readonly state: ExecutionState;
  /** Jobs running on this state now, and jobs it has served. */
  running = 0;
  served = 0;
  /** Per run path (`Group[3]::Actor`): where that run's records (and its nested runs') go. */
  readonly #routes = new Map<string, Route>();
  readonly #unsubscribe: () => void;

  constructor(stateId: string) {
    this.state = new ExecutionState({ stateId });
    this.#unsubscribe = this.state.eventBus.subscribe((event) => {
      if (event.kind === 'execution') this.#route(event);
    });
  }

  /** Sends the records of the run at `address` (and of the runs nested in it) to `route`. */
  open(address: string, route: Route): () => void {
    const path = address.slice(0, address.lastIndexOf('::'));
    this.#routes.set(path, route);
    return () => {
      if (this.#routes.get(path) === route) this.#routes.delete(path);
    };
  }

  close(): void {
    this.#unsubscribe();
  }

  /** The job a record belongs to: its run's path, or the nearest enclosing one that is a job's. */
  #route(record: ExecutionRecord): void {
    let path = record.address;
    for (let cut = path.lastIndexOf('::'); cut > 0; cut = path.lastIndexOf('::')) {
      path = path.slice(0, cut);
      const route = this.#routes.get(path);
      if (route) return route(record);
    }
  }
}

export class WorkerStates {
  readonly #byId = new Map<string, WorkerState>();

  acquire(stateId: string): WorkerState {
    let current = this.#byId.get(stateId);
    if (
      current === undefined ||
      current.served >= JOBS_PER_STATE ||
      current.state.status === 'interrupted'
    ) {
      current = new WorkerState(stateId);
      this.#byId.set(stateId, current);
    }
    current.running++;
    current.served++;
    return current;
  }

  release(worker: WorkerState): void {
    if (--worker.running > 0) return;
    if (this.#byId.get(worker.state.stateId) === worker) this.#byId.delete(worker.state.stateId);
    worker.close();
  }
}
