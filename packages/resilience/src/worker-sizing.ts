/** Inputs to `workerCount`. */
export interface WorkerSizing {
  /** Work waiting, in batches (e.g. queue depth / batch size). */
  batches: number;
  /** Workers wanted per batch (e.g. 0.5 = one worker per two batches). */
  perBatch: number;
  min: number;
  max: number;
}

function check(name: string, value: number, integer: boolean): void {
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a non-negative ${integer ? 'integer' : 'number'}, got ${value}`);
  }
}

/** clamp(ceil(batches × perBatch), min, max): how many workers the waiting work deserves. */
export function workerCount({ batches, perBatch, min, max }: WorkerSizing): number {
  check('batches', batches, false);
  check('perBatch', perBatch, false);
  check('min', min, true);
  check('max', max, true);
  if (min > max) throw new RangeError(`min (${min}) must not exceed max (${max})`);
  return Math.min(max, Math.max(min, Math.ceil(batches * perBatch)));
}

/** Channel prefetch for a consumer running `workers` handlers that each take `perWorker` messages. */
export function prefetchFor(workers: number, perWorker: number): number {
  check('workers', workers, true);
  check('perWorker', perWorker, true);
  // Prefetch 0 means "unlimited" to RabbitMQ: never let a zero product ask for that.
  return Math.max(1, workers * perWorker);
}
