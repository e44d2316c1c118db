// Pure prefetch policy: how far a sequential run may stream ahead of what the reader has consumed, and how
// much a random read fetches. The window starts small so a file that is only peeked at (`file`, `head`)
// costs little, and doubles each time the reader consumes a whole window, up to a cap: a long `cp` soon
// keeps tens of MiB in flight on one GET. A random read fetches what it asked for rounded up a little, so a
// run of small reads at nearby offsets does not cost one request per kernel page.

const MiB = 1024 * 1024;

/** First window of a sequential run: enough for the kernel's first few read-ahead requests. */
export const INITIAL_WINDOW = 1 * MiB;
/** Default cap on the window (a constructor option of the reader; a flag may set it later). */
export const DEFAULT_MAX_WINDOW = 64 * MiB;
/** A random read is rounded up to this (the kernel asks in 4 KiB pages; 64 KiB keeps neighbours). */
export const RANDOM_READ_ROUNDING = 64 * 1024;
/** Bytes already consumed that a run keeps, so a slightly out-of-order kernel read is still served. */
export const BACKWARD_KEEP = 1 * MiB;

export interface WindowLimits {
  initial: number;
  max: number;
}

/** The window after the reader has consumed `consumed` bytes of the run. */
export function windowAfter(consumed: number, limits: WindowLimits): number {
  let window = Math.min(limits.initial, limits.max);
  let threshold = window;
  while (consumed >= threshold && window < limits.max) {
    window = Math.min(limits.max, window * 2);
    threshold += window;
  }
  return window;
}

/** End (exclusive) of the range a random read of [offset, end) fetches, within an object of `size`. */
export function randomReadEnd(offset: number, end: number, size: number): number {
  const length = end - offset;
  const rounded = Math.ceil(length / RANDOM_READ_ROUNDING) * RANDOM_READ_ROUNDING;
  return Math.min(size, offset + Math.max(rounded, RANDOM_READ_ROUNDING));
}

/** Bytes all runs together may stream ahead when no allowance is configured (the default of assemble.ts). */
export const DEFAULT_PREFETCH_ALLOWANCE = 2 * DEFAULT_MAX_WINDOW;

/** The window cap of each of `runs` runs streaming at once: an equal share of `allowance` (the prefetch
 *  bytes the budget holds beyond the memory cache), never above `max` nor below `floor`. So many readers
 *  together stay inside the budget instead of evicting the whole memory cache or waiting on each other. */
export function prefetchAllowance(
  allowance: number,
  runs: number,
  max: number,
  floor = INITIAL_WINDOW,
): number {
  const share = Math.floor(allowance / Math.max(1, runs));
  return Math.max(Math.min(floor, max), Math.min(max, share));
}
