// The upload queue: when pending objects are uploaded, how many at once, and what a transient failure
// costs. It knows nothing of files: a job is "upload what this key holds now" (a function it calls), so
// it is tested with a manual clock and fake jobs.
// - Bounded concurrency: at most `concurrency` jobs run at once; the rest wait in arrival order.
// - In order per key: one job per key runs at a time. A job asked for while one of its key waits (not
//   started) joins it: one upload, every caller gets its result (a newer version supersedes a queued one).
//   A job asked for while its key is running waits behind it (it must upload the bytes written since).
// - A delay per request (async close: coalescing, like rclone's --vfs-write-back): a job starts no earlier
//   than its latest request's delay; a request with a shorter delay (fsync, a stop) brings it forward.
// - Retries: the storage client already retries each request; the queue re-runs a whole job after a
//   transient failure (the client gave up: a long outage), with exponential backoff and jitter, a few
//   times, then gives up and the job's callers get the last error (the caller records it).

import type { Clock } from '../../common/clock.js';

export interface QueueOptions {
  concurrency: number;
  clock: Clock;
  /** Whether a failure is worth running the whole job again (429, 5xx, network, timeouts). */
  retryable: (err: unknown) => boolean;
  /** Wait before the second attempt; doubles each time up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** [0, 1): jitter (tests pass a constant). */
  random?: () => number;
  /** A job failed and will run again after `delayMs` (logged by the caller; `key`: the job's name). */
  onRetry?: (key: string, attempt: number, delayMs: number, err: unknown) => void;
}

export interface JobSpec<R> {
  /** Runs one attempt; called with the attempt number (1, 2, ...). */
  run: (attempt: number) => Promise<R>;
  /** Bytes the job will upload (for the "bytes pending" figure); read when asked. */
  bytes: () => number;
  /** What logs call it (the object's name now). */
  name?: () => string;
}

export interface EnqueueOptions {
  /** Earliest start, from now (coalescing). */
  delayMs?: number;
  /** Attempts before it gives up (1: no retry by the queue); a joined job keeps the larger. */
  attempts?: number;
}

export interface QueueStats {
  /** Jobs waiting (delay, backoff or a free slot). */
  queued: number;
  uploading: number;
  /** Bytes of the waiting and running jobs. */
  bytesPending: number;
  /** Totals since start. */
  completed: number;
  failed: number;
  retries: number;
}

interface Job<R> {
  key: string;
  spec: JobSpec<R>;
  /** Earliest start (ms, clock time). */
  notBefore: number;
  attempt: number;
  attempts: number;
  waiters: { resolve: (r: R) => void; reject: (e: unknown) => void }[];
}

export class UploadQueue<R> {
  readonly #o: Required<Omit<QueueOptions, 'onRetry'>> & Pick<QueueOptions, 'onRetry'>;
  /** Attempts of a job whose requests did not say. */
  static readonly DEFAULT_ATTEMPTS = 5;
  /** Waiting jobs in arrival order (one per key at most). */
  readonly #waiting: Job<R>[] = [];
  readonly #running = new Map<string, Job<R>>();
  #timer?: AbortController | undefined;
  #timerAt = Infinity;
  #idle: (() => void)[] = [];
  #completed = 0;
  #failed = 0;
  #retries = 0;

  constructor(o: QueueOptions) {
    if (!(o.concurrency >= 1)) throw new RangeError('upload concurrency must be at least 1');
    this.#o = {
      backoffMs: 1000,
      maxBackoffMs: 30_000,
      random: Math.random,
      ...o,
    };
  }

  /** Asks for the key's job to run no earlier than `delayMs` from now; resolves with its result. */
  enqueue(key: string, spec: JobSpec<R>, o: EnqueueOptions = {}): Promise<R> {
    const delayMs = o.delayMs ?? 0;
    const attempts = o.attempts ?? UploadQueue.DEFAULT_ATTEMPTS;
    return new Promise<R>((resolve, reject) => {
      const at = this.#o.clock.now() + delayMs;
      const waiting = this.#waiting.find((j) => j.key === key);
      if (waiting) {
        waiting.spec = spec;
        // Coalescing: a later request pushes a delayed start back; a more urgent one brings it forward.
        waiting.notBefore = delayMs > 0 ? Math.max(waiting.notBefore, at) : Math.min(waiting.notBefore, at);
        waiting.attempts = Math.max(waiting.attempts, attempts);
        waiting.waiters.push({ resolve, reject });
      } else {
        this.#waiting.push({
          key,
          spec,
          notBefore: at,
          attempt: 0,
          attempts,
          waiters: [{ resolve, reject }],
        });
      }
      this.#pump();
    });
  }

  /** Whether the key has a job waiting or running. */
  has(key: string): boolean {
    return this.#running.has(key) || this.#waiting.some((j) => j.key === key);
  }

  /** Starts every waiting job as soon as a slot allows (a stop drains without the coalescing delay). */
  hurry(): void {
    const now = this.#o.clock.now();
    for (const j of this.#waiting) j.notBefore = Math.min(j.notBefore, now);
    this.#pump();
  }

  /** Resolves once nothing waits or runs. */
  idle(): Promise<void> {
    if (this.#waiting.length === 0 && this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  stats(): QueueStats {
    const bytes = (jobs: Iterable<Job<R>>): number => {
      let n = 0;
      for (const j of jobs) n += j.spec.bytes();
      return n;
    };
    return {
      queued: this.#waiting.length,
      uploading: this.#running.size,
      bytesPending: bytes(this.#waiting) + bytes(this.#running.values()),
      completed: this.#completed,
      failed: this.#failed,
      retries: this.#retries,
    };
  }

  #pump(): void {
    const now = this.#o.clock.now();
    let next = Infinity;
    for (let i = 0; i < this.#waiting.length && this.#running.size < this.#o.concurrency;) {
      const job = this.#waiting[i];
      if (!job) break;
      if (this.#running.has(job.key) || job.notBefore > now) {
        if (!this.#running.has(job.key)) next = Math.min(next, job.notBefore);
        i++;
        continue;
      }
      this.#waiting.splice(i, 1);
      this.#start(job);
    }
    for (const j of this.#waiting)
      if (!this.#running.has(j.key) && j.notBefore > now) next = Math.min(next, j.notBefore);
    this.#arm(next);
    if (this.#waiting.length === 0 && this.#running.size === 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const r of idle) r();
    }
  }

  /** One timer, for the earliest delayed start. */
  #arm(at: number): void {
    if (at === this.#timerAt) return;
    this.#timer?.abort();
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === Infinity) return;
    const timer = new AbortController();
    this.#timer = timer;
    this.#o.clock.sleep(Math.max(0, at - this.#o.clock.now()), timer.signal).then(
      () => {
        if (this.#timer !== timer) return;
        this.#timer = undefined;
        this.#timerAt = Infinity;
        this.#pump();
      },
      () => undefined, // re-armed or cancelled
    );
  }

  #start(job: Job<R>): void {
    this.#running.set(job.key, job);
    job.attempt++;
    const attempt = job.attempt;
    // A run that throws instead of rejecting fails the same way.
    const result = Promise.resolve().then(() => job.spec.run(attempt));
    result.then(
      (r) => {
        this.#running.delete(job.key);
        this.#completed++;
        for (const w of job.waiters) w.resolve(r);
        this.#pump();
      },
      (err: unknown) => {
        this.#running.delete(job.key);
        this.#settleFailure(job, err);
        this.#pump();
      },
    );
  }

  #settleFailure(job: Job<R>, err: unknown): void {
    const joined = this.#waiting.find((j) => j.key === job.key);
    if (joined) {
      // A newer request waits for this key already: its run uploads everything; hand over the callers.
      joined.waiters.push(...job.waiters);
      return;
    }
    if (this.#o.retryable(err) && job.attempt < job.attempts) {
      const base = Math.min(this.#o.maxBackoffMs, this.#o.backoffMs * 2 ** (job.attempt - 1));
      const delay = Math.round(base * (0.5 + this.#o.random() / 2));
      this.#retries++;
      this.#o.onRetry?.(job.spec.name?.() ?? job.key, job.attempt, delay, err);
      job.notBefore = this.#o.clock.now() + delay;
      this.#waiting.push(job);
      return;
    }
    this.#failed++;
    for (const w of job.waiters) w.reject(err);
  }
}
