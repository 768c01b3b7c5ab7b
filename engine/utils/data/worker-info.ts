/** torch.utils.data.get_worker_info(): who am I, inside a DataLoader worker thread. */

export interface WorkerInfo {
  /** 0 … numWorkers − 1. */
  readonly id: number;
  readonly numWorkers: number;
  /** The seed this worker's default generator was given: the epoch's base seed + id. */
  readonly seed: number;
}

let current: WorkerInfo | null = null;

/** The worker's info in a DataLoader worker thread; null in the main thread. */
export function getWorkerInfo(): WorkerInfo | null {
  return current;
}

export function setWorkerInfo(info: WorkerInfo): void {
  current = info;
}
