// The training-noise stream of src/core/rng.ts (xoshiro128** and its 256-layer ziggurat),
// draw for draw: fillNormal here writes exactly the floats that Rng.fillNormal writes for
// the same state, so the kernel and the tfjs path see the same noise. The host copies the
// stream's state in before a step and back out after it, and the ziggurat tables in once
// (rng.ts computes them). Every operation is IEEE basic arithmetic on f64 in the same
// order as rng.ts, which WebAssembly evaluates exactly like JavaScript.

const CHUNK: i32 = 4096;
const LAYERS: i32 = 256;
const TWO_POW_MINUS_32: f64 = 1.0 / 4294967296.0;
const ZIG_R: f64 = 3.6541528853610088;
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700;
const SQRT2: f64 = 1.4142135623730951;
const SQRT1_2: f64 = 0.7071067811865476;

let s0: i32 = 0;
let s1: i32 = 0;
let s2: i32 = 0;
let s3: i32 = 0;

/** Tables and scratch, placed by the host: W[256], INNER[256], F[257] (f64), then two i32[CHUNK]. */
let zigW: usize = 0;
let zigInner: usize = 0;
let zigF: usize = 0;
let rejectIndex: usize = 0;
let rejectBits: usize = 0;
/** 1/n! for n = 0..14 and 1/(2j+1) for j = 0..14, as rng.ts builds them */
let expCoef: usize = 0;
let logCoef: usize = 0;

/** Bytes the tables and scratch need at `base`. */
export function normalTablesBytes(): i32 {
  return (LAYERS * 2 + LAYERS + 1 + 15 * 2) * 8 + CHUNK * 8;
}

/** Places the tables at `base`; the host then writes W, INNER and F (rng.ts's) into them. */
export function normalInit(base: usize): void {
  zigW = base;
  zigInner = zigW + <usize>LAYERS * 8;
  zigF = zigInner + <usize>LAYERS * 8;
  expCoef = zigF + <usize>(LAYERS + 1) * 8;
  logCoef = expCoef + 15 * 8;
  rejectIndex = logCoef + 15 * 8;
  rejectBits = rejectIndex + <usize>CHUNK * 4;
  let c: f64 = 1;
  store<f64>(expCoef, c);
  for (let n = 1; n <= 14; n++) {
    c = c / <f64>n;
    store<f64>(expCoef + (<usize>n << 3), c);
  }
  for (let j = 0; j < 15; j++) store<f64>(logCoef + (<usize>j << 3), 1.0 / <f64>(2 * j + 1));
}

export function zigguratW(): usize {
  return zigW;
}
export function zigguratInner(): usize {
  return zigInner;
}
export function zigguratF(): usize {
  return zigF;
}

export function setState(a: i32, b: i32, c: i32, d: i32): void {
  s0 = a;
  s1 = b;
  s2 = c;
  s3 = d;
}
export function state(i: i32): i32 {
  return i == 0 ? s0 : i == 1 ? s1 : i == 2 ? s2 : s3;
}

function next(): i32 {
  const m = s1 * 5;
  const result = rotl<i32>(m, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<i32>(s3, 11);
  return result;
}

function uniform(): f64 {
  return <f64>(<u32>next()) * TWO_POW_MINUS_32;
}

function uniformOpen(): f64 {
  return (<f64>(<u32>next()) + 0.5) * TWO_POW_MINUS_32;
}

/** JavaScript's Math.round: halves go up. */
function roundHalfUp(x: f64): f64 {
  const f = Math.floor(x);
  return x - f >= 0.5 ? f + 1 : f;
}

function expNonPositive(x: f64): f64 {
  const k = roundHalfUp(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO;
  let p = load<f64>(expCoef + 14 * 8);
  for (let n = 13; n >= 0; n--) p = p * r + load<f64>(expCoef + (<usize>n << 3));
  for (let j: f64 = 0; j < -k; j++) p *= 0.5;
  return p;
}

function logPositive(x: f64): f64 {
  let m = x;
  let e: f64 = 0;
  while (m < SQRT1_2) {
    m *= 2;
    e--;
  }
  while (m > SQRT2) {
    m *= 0.5;
    e++;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let p = load<f64>(logCoef + 14 * 8);
  for (let j = 13; j >= 0; j--) p = p * s2 + load<f64>(logCoef + (<usize>j << 3));
  return e * LN2_HI + (e * LN2_LO + 2 * s * p);
}

function tail(): f64 {
  while (true) {
    const a = -logPositive(uniformOpen()) / ZIG_R;
    const b = -logPositive(uniformOpen());
    if (b + b >= a * a) return ZIG_R + a;
  }
}

function normalSlow(layer: i32, candidate: f64): f64 {
  let i = layer;
  let x = candidate;
  while (true) {
    if (i == 0) return x < 0 ? -tail() : tail();
    const fi = load<f64>(zigF + (<usize>i << 3));
    const y = fi + uniform() * (load<f64>(zigF + (<usize>(i + 1) << 3)) - fi);
    if (y < expNonPositive(-0.5 * x * x)) return x;
    const r = next();
    i = r & 255;
    x = (<f64>(r >> 8) + 0.5) * load<f64>(zigW + (<usize>i << 3));
    if (Math.abs(x) < load<f64>(zigInner + (<usize>i << 3))) return x;
  }
}

/** Float32 out[0, n): scale * N(0, 1), or += when add; the same draws as Rng.fillNormal. */
export function fillNormal(out: usize, n: i32, scale: f64, add: bool): void {
  for (let start = 0; start < n; start += CHUNK) {
    const end = min(n, start + CHUNK);
    const rejected = fillFast(out, start, end, scale, add);
    for (let q = 0; q < rejected; q++) {
      const j = load<i32>(rejectIndex + (<usize>q << 2));
      const r = load<i32>(rejectBits + (<usize>q << 2));
      const i = r & 255;
      const x = normalSlow(i, (<f64>(r >> 8) + 0.5) * load<f64>(zigW + (<usize>i << 3)));
      const p = out + (<usize>j << 2);
      if (add) store<f32>(p, <f32>(<f64>load<f32>(p) + scale * x));
      else store<f32>(p, <f32>(scale * x));
    }
  }
}

// @ts-ignore: decorator
@inline
function fillFast(out: usize, start: i32, end: i32, scale: f64, add: bool): i32 {
  let a = s0, b = s1, c = s2, d = s3;
  let rejected = 0;
  for (let j = start; j < end; j++) {
    const m = b * 5;
    const r = rotl<i32>(m, 7) * 9;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl<i32>(d, 11);
    const i = r & 255;
    const x = (<f64>(r >> 8) + 0.5) * load<f64>(zigW + (<usize>i << 3));
    if (Math.abs(x) < load<f64>(zigInner + (<usize>i << 3))) {
      const p = out + (<usize>j << 2);
      if (add) store<f32>(p, <f32>(<f64>load<f32>(p) + scale * x));
      else store<f32>(p, <f32>(scale * x));
    } else {
      store<i32>(rejectIndex + (<usize>rejected << 2), j);
      store<i32>(rejectBits + (<usize>rejected << 2), r);
      rejected++;
    }
  }
  s0 = a;
  s1 = b;
  s2 = c;
  s3 = d;
  return rejected;
}
