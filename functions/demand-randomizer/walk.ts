/**
 * The bounded random walk of the microscaling demo, as pure functions.
 *
 * The first value is half of MAX (rounded down). Each later step is drawn uniformly
 * from the whole steps in
 *
 *     [max(−DELTA, −current), min(+DELTA, MAX − current)]
 *
 * i.e. [−DELTA, +DELTA] narrowed at the edges so that no step can leave [0, MAX].
 * Clamping instead (draw from [−DELTA, +DELTA], then clamp) would pile probability
 * on the edges — from 0 the walk would stay at 0 with probability
 * (DELTA+1)/(2·DELTA+1), 4/7 with the defaults — and the demo would stick there.
 * Narrowed, from 0 each of 0..+3 has probability 1/4, from the middle each of
 * −3..+3 has 1/7. The walk never leaves [0, MAX] and never moves more than DELTA.
 */
export interface WalkBounds {
  readonly max: number;
  readonly delta: number;
}

/** A uniform number in [0, 1), like Math.random. */
export type Random = () => number;

export function firstDemand(max: number): number {
  return Math.floor(max / 2);
}

/** The lowest and highest step allowed from `current`. */
export function stepRange(current: number, { max, delta }: WalkBounds): [number, number] {
  // `0 - current`, not `-current`, which is −0 at the lower edge.
  return [Math.max(-delta, 0 - current), Math.min(delta, max - current)];
}

export function nextDemand(current: number, bounds: WalkBounds, random: Random): number {
  if (!Number.isInteger(current) || current < 0 || current > bounds.max) {
    throw new RangeError(`demand ${current} is not an integer in [0, ${bounds.max}]`);
  }
  const [low, high] = stepRange(current, bounds);
  const step = low + Math.floor(random() * (high - low + 1));
  return current + Math.min(step, high);
}

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator, public domain): tiny, fast and well
 * distributed enough for a demo. Not for anything secret.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The random source for the step that replaces stored version `version`. Seeding
 * from (DEMAND_SEED, version) rather than from DEMAND_SEED alone makes each
 * invocation continue the same walk: the value at version v + 1 depends only on the
 * value at v, v and the seed, so a run is reproducible step by step, even across
 * cold starts and retried writes.
 */
export function seededRandom(seed: string, version: number): Random {
  return mulberry32(fnv1a(`${seed}#${version}`));
}
