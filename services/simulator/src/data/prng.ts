// Seeded randomness. Every generated record derives its own stream from (seed, kind, index) so any
// single record can be rebuilt on demand without generating the ones before it.

/** 32-bit integer hash of a list of integers (murmur3-style finalisation per part). */
export function hashInts(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    let k = Math.imul(p | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of a string, used to fold string seeds and ETags. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  hex(length: number): string;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeRng(...seedParts: number[]): Rng {
  const next = mulberry32(hashInts(...seedParts));
  const HEX = '0123456789abcdef';
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from empty list');
      return item;
    },
    hex(length) {
      let s = '';
      for (let i = 0; i < length; i++) s += HEX.charAt(Math.floor(next() * 16));
      return s;
    },
  };
}

/** An index into `weights` drawn with those probabilities (the last when they sum to less than 1). */
export function weighted(r: Rng, weights: readonly number[]): number {
  let x = r.next();
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] ?? 0;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

/** Deterministic hex string for ids such as SHAs: no stream state needed. */
export function hexFrom(length: number, ...parts: number[]): string {
  let s = '';
  let i = 0;
  while (s.length < length) {
    s += hashInts(...parts, i++)
      .toString(16)
      .padStart(8, '0');
  }
  return s.slice(0, length);
}
