// The injector's only source of randomness: mulberry32, a tiny seeded 32-bit generator. Chosen for
// replayability, not quality: the same seed and the same request sequence must give the same faults.

/** Returns a function yielding floats in [0, 1), fully determined by `seed`. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
