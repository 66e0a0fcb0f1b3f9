// One training step of the network of docs/science.md §1.2 and §2, whole, in WebAssembly
// with 128-bit SIMD: the forward Euler-Maruyama run with its noise, the readout and the
// masked MSE, the adjoint recursion backwards, the weight gradients and Adam. The host
// (src/kernel/fused.ts) writes the batch into memory and makes one call per phase; no
// time step crosses into JavaScript and nothing is allocated after configure().
//
// Layout: units are padded to P, a multiple of 16, with zeros that stay zero (their
// weights, inputs and noise are zero). Weights and gradients are row-major [rows][P];
// per-trial matrices ([B][P]: states, tanh, drive, adjoints) are panel-major (below).
//   x_{k+1} = (1-dt) x_k + dt W r_k + dt W_in s_k + noise_k,   r_k = tanh x_k
//   a_k = (1-dt) a_{k+1} + (dt W^T a_{k+1}) (1 - r_k^2) + W_out^T dz_k
//   dL/dW = dt sum_k a_{k+1} r_k^T,  dL/dW_in = dt sum_k a_{k+1} s_k^T,  dL/dW_out = sum_k dz_k x_k^T
// The forward pass keeps r_k of every step (one [B, P] slot per step) and nothing else:
// the readout, the loss and dL/dW_out are done as each masked state appears.
import { tanh4 } from './tanh';
import { fillNormal, normalInit, normalTablesBytes } from './normal';

export { tanhArray } from './tanh';
export { fillNormal, setState, state, zigguratW, zigguratInner, zigguratF } from './normal';

/** Micro-kernel width: 16 floats (four v128) of one output row. */
const PANEL: i32 = 16;

let N: i32 = 0;
let P: i32 = 0;
let B: i32 = 0;
let dIn: i32 = 0;
let dOut: i32 = 0;
let T: i32 = 0;
/** time steps per weight-gradient product */
let C: i32 = 0;
let rowBytes: usize = 0;
let stepBytes: usize = 0;

// Regions (byte addresses), set by configure().
let pW: usize = 0;
let pWinT: usize = 0; // W_in transposed, [dIn][P]
let pWout: usize = 0; // [dOut][P]
let pGW: usize = 0;
let pGWinT: usize = 0;
let pGWout: usize = 0;
let pMW: usize = 0;
let pVW: usize = 0;
let pMWin: usize = 0;
let pVWin: usize = 0;
let pMWout: usize = 0;
let pVWout: usize = 0;
/** dt W packed for the forward product: panel p holds rows 16p..16p+15 of W, column j at [(p P + j) 16 + c] */
let pWf: usize = 0;
/** dt W packed for the backward product: panel p holds columns 16p..16p+15, row i at [(p P + i) 16 + c] */
let pWb: usize = 0;
let pSlots: usize = 0; // r_k, [T][B][P]
let pXa: usize = 0;
let pXb: usize = 0;
let pDrive: usize = 0; // noise + dt W_in s_k of the current step, [B][P]
let pNoise: usize = 0; // raw noise, [B][N]
let pX0: usize = 0; // [B][N]
let pInputs: usize = 0; // [T][B][dIn]
let pTargets: usize = 0; // [T][B][dOut]
let pMask: usize = 0;
let pDz: usize = 0;
let pMasked: usize = 0; // u8 [T]
let pChunk: usize = 0; // (C + 1) adjoints [B][P]
let pFixedEnd: usize = 0;
let pEnd: usize = 0;

let gradSumSq: f64 = 0;

function align64(p: usize): usize {
  return (p + 63) & ~(<usize>63);
}

/**
 * Lays out every buffer for N units, batch b, dIn inputs, dOut outputs and up to t time
 * steps, zeroed, growing the memory as needed. Returns false when the memory cannot grow.
 */
export function configure(n: i32, b: i32, din: i32, dout: i32, t: i32, chunkSteps: i32): bool {
  N = n;
  P = ((n + PANEL - 1) / PANEL) * PANEL;
  B = b;
  dIn = din;
  dOut = dout;
  C = chunkSteps;
  rowBytes = <usize>P << 2;
  stepBytes = <usize>B * rowBytes;
  const sq = <usize>P * rowBytes;
  let p = align64(__heap_base);
  pW = p; p = align64(p + sq);
  pGW = p; p = align64(p + sq);
  pMW = p; p = align64(p + sq);
  pVW = p; p = align64(p + sq);
  pWf = p; p = align64(p + sq);
  pWb = p; p = align64(p + sq);
  const inBytes = <usize>dIn * rowBytes;
  pWinT = p; p = align64(p + inBytes);
  pGWinT = p; p = align64(p + inBytes);
  pMWin = p; p = align64(p + inBytes);
  pVWin = p; p = align64(p + inBytes);
  const outBytes = <usize>dOut * rowBytes;
  pWout = p; p = align64(p + outBytes);
  pGWout = p; p = align64(p + outBytes);
  pMWout = p; p = align64(p + outBytes);
  pVWout = p; p = align64(p + outBytes);
  pXa = p; p = align64(p + stepBytes);
  pXb = p; p = align64(p + stepBytes);
  pDrive = p; p = align64(p + stepBytes);
  pChunk = p; p = align64(p + <usize>(C + 1) * stepBytes);
  const raw = <usize>B * <usize>N * 4;
  pNoise = p; p = align64(p + raw);
  pX0 = p; p = align64(p + raw);
  const tables = p; p = align64(p + <usize>normalTablesBytes());
  pFixedEnd = p;
  T = 0;
  if (!reserveSteps(t)) return false;
  memory.fill(align64(__heap_base), 0, pEnd - align64(__heap_base));
  normalInit(tables);
  return true;
}

/**
 * Room for batches of t time steps. The regions that depend on t come last, so the
 * weights and Adam's moments stay where they are. Returns false when memory cannot grow.
 */
export function reserveSteps(t: i32): bool {
  if (t <= T) return true;
  let p = pFixedEnd;
  pInputs = p; p = align64(p + <usize>t * <usize>B * <usize>dIn * 4);
  const perOut = <usize>t * <usize>B * <usize>dOut * 4;
  pTargets = p; p = align64(p + perOut);
  pMask = p; p = align64(p + perOut);
  pDz = p; p = align64(p + perOut);
  pMasked = p; p = align64(p + <usize>t);
  pSlots = p; p = align64(p + <usize>t * stepBytes);
  const have = <usize>memory.size() << 16;
  if (p > have) {
    if (memory.grow(<i32>((p - have + 65535) >> 16)) < 0) return false;
  }
  pEnd = p;
  T = t;
  return true;
}

export function paddedUnits(): i32 { return P; }
export function weightsW(): usize { return pW; }
export function weightsInT(): usize { return pWinT; }
export function weightsOut(): usize { return pWout; }
export function gradW(): usize { return pGW; }
export function gradInT(): usize { return pGWinT; }
export function gradOut(): usize { return pGWout; }
export function initialStates(): usize { return pX0; }
export function inputs(): usize { return pInputs; }
export function targets(): usize { return pTargets; }
export function mask(): usize { return pMask; }
export function gradientSumOfSquares(): f64 { return gradSumSq; }
export function firstMomentW(): usize { return pMW; }
export function secondMomentW(): usize { return pVW; }
export function firstMomentInT(): usize { return pMWin; }
export function secondMomentInT(): usize { return pVWin; }
export function firstMomentOut(): usize { return pMWout; }
export function secondMomentOut(): usize { return pVWout; }

// ------------------------------------------------------------------ layout helpers
//
// States, their tanh, the drive and the adjoints are [B][P] matrices stored panel-major:
// the 16 values of trial b in panel q (units 16q..16q+15) are the 64 bytes at
// (q B + b) 64. Both products then read their splatted operand and write their output
// 64 contiguous bytes at a time, and the weight-gradient product streams rows of both
// operands in order (row-major [B][P] strides by P floats per trial, which at N = 512
// costs a TLB miss per row).

// @ts-ignore: decorator
@inline
function slot(k: i32): usize {
  return pSlots + <usize>k * stepBytes;
}

// @ts-ignore: decorator
@inline
function entry(e: i32): usize {
  return pChunk + <usize>e * stepBytes;
}

/** Byte offset of trial b, panel q in a panel-major [B][P] matrix. */
// @ts-ignore: decorator
@inline
function at(b: i32, q: i32): usize {
  return (<usize>(q * B + b)) << 6;
}

/** y[0, n) += a x[0, n), plain rows, n a multiple of 4 */
function axpy(y: usize, x: usize, a: f32, n: i32): void {
  const av = f32x4.splat(a);
  const end = y + (<usize>n << 2);
  for (; y < end; y += 16, x += 16) v128.store(y, f32x4.add(v128.load(y), f32x4.mul(av, v128.load(x))));
}

/** Row b of panel-major y += a x, x a plain row of P floats */
function axpyIntoRow(y: usize, b: i32, x: usize, a: f32): void {
  const av = f32x4.splat(a);
  const panels = P / PANEL;
  for (let q = 0; q < panels; q++) {
    const t = y + at(b, q);
    const s = x + (<usize>q << 6);
    v128.store(t, f32x4.add(v128.load(t), f32x4.mul(av, v128.load(s))));
    v128.store(t, f32x4.add(v128.load(t, 16), f32x4.mul(av, v128.load(s, 16))), 16);
    v128.store(t, f32x4.add(v128.load(t, 32), f32x4.mul(av, v128.load(s, 32))), 32);
    v128.store(t, f32x4.add(v128.load(t, 48), f32x4.mul(av, v128.load(s, 48))), 48);
  }
}

/** Plain row y += a (row b of panel-major x) */
function axpyFromRow(y: usize, x: usize, b: i32, a: f32): void {
  const av = f32x4.splat(a);
  const panels = P / PANEL;
  for (let q = 0; q < panels; q++) {
    const t = y + (<usize>q << 6);
    const s = x + at(b, q);
    v128.store(t, f32x4.add(v128.load(t), f32x4.mul(av, v128.load(s))));
    v128.store(t, f32x4.add(v128.load(t, 16), f32x4.mul(av, v128.load(s, 16))), 16);
    v128.store(t, f32x4.add(v128.load(t, 32), f32x4.mul(av, v128.load(s, 32))), 32);
    v128.store(t, f32x4.add(v128.load(t, 48), f32x4.mul(av, v128.load(s, 48))), 48);
  }
}

/** (row b of panel-major x) . (plain row w) */
function dotRow(x: usize, b: i32, w: usize): f32 {
  let s = f32x4.splat(0);
  const panels = P / PANEL;
  for (let q = 0; q < panels; q++) {
    const u = x + at(b, q);
    const v = w + (<usize>q << 6);
    s = f32x4.add(s, f32x4.mul(v128.load(u), v128.load(v)));
    s = f32x4.add(s, f32x4.mul(v128.load(u, 16), v128.load(v, 16)));
    s = f32x4.add(s, f32x4.mul(v128.load(u, 32), v128.load(v, 32)));
    s = f32x4.add(s, f32x4.mul(v128.load(u, 48), v128.load(v, 48)));
  }
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
}

function scale(y: usize, a: f32, n: i32): void {
  const av = f32x4.splat(a);
  const end = y + (<usize>n << 2);
  for (; y < end; y += 16) v128.store(y, f32x4.mul(av, v128.load(y)));
}

function sumSquares(x: usize, n: i32): f64 {
  let total: f64 = 0;
  const end = x + (<usize>n << 2);
  while (x < end) {
    let s = f32x4.splat(0);
    const stop = min(end, x + 4096);
    for (; x < stop; x += 16) {
      const v = v128.load(x);
      s = f32x4.add(s, f32x4.mul(v, v));
    }
    total += <f64>f32x4.extract_lane(s, 0) + <f64>f32x4.extract_lane(s, 1) + <f64>f32x4.extract_lane(s, 2) + <f64>f32x4.extract_lane(s, 3);
  }
  return total;
}

/** Plain [B][N] rows into a panel-major [B][P] matrix (its padding is zero and stays so). */
function spreadRows(src: usize, dst: usize): void {
  const full = N / PANEL;
  for (let b = 0; b < B; b++) {
    const row = src + <usize>b * <usize>N * 4;
    for (let q = 0; q < full; q++) {
      const s = row + (<usize>q << 6);
      const t = dst + at(b, q);
      v128.store(t, v128.load(s));
      v128.store(t, v128.load(s, 16), 16);
      v128.store(t, v128.load(s, 32), 32);
      v128.store(t, v128.load(s, 48), 48);
    }
    const t = dst + at(b, full);
    for (let i = full * PANEL; i < N; i++) store<f32>(t + (<usize>(i - full * PANEL) << 2), load<f32>(row + (<usize>i << 2)));
  }
}

// ------------------------------------------------------------------ packing

/** Packs dt W for both products; once per step, since Adam changes W. */
function pack(dt: f32): void {
  const dv = f32x4.splat(dt);
  const panels = P / PANEL;
  for (let p = 0; p < panels; p++) {
    // backward: rows i, columns 16p..16p+15, contiguous in W already
    let dst = pWb + <usize>p * <usize>P * 64;
    let src = pW + <usize>p * 64;
    for (let i = 0; i < N; i++, dst += 64, src += rowBytes) {
      v128.store(dst, f32x4.mul(dv, v128.load(src)));
      v128.store(dst, f32x4.mul(dv, v128.load(src, 16)), 16);
      v128.store(dst, f32x4.mul(dv, v128.load(src, 32)), 32);
      v128.store(dst, f32x4.mul(dv, v128.load(src, 48)), 48);
    }
    // forward: column j of panel p is W[16p + c][j], c = 0..15 (a transpose)
    dst = pWf + <usize>p * <usize>P * 64;
    const rows = pW + <usize>p * PANEL * rowBytes;
    for (let j = 0; j < N; j++, dst += 64) {
      const col = rows + (<usize>j << 2);
      for (let c = 0; c < PANEL; c++) store<f32>(dst + (<usize>c << 2), dt * load<f32>(col + <usize>c * rowBytes));
    }
  }
}

// ------------------------------------------------------------------ forward

/** drive = noise_k + dt W_in s_k for step k */
function makeDrive(k: i32, noiseStd: f64, dt: f32): void {
  if (noiseStd > 0) {
    fillNormal(pNoise, B * N, noiseStd, false);
    spreadRows(pNoise, pDrive);
  } else {
    memory.fill(pDrive, 0, stepBytes);
  }
  if (dIn == 0) return;
  const base = pInputs + <usize>k * <usize>B * <usize>dIn * 4;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < dIn; j++) {
      const s = load<f32>(base + (<usize>(b * dIn + j) << 2));
      if (s != 0) axpyIntoRow(pDrive, b, pWinT + <usize>j * rowBytes, dt * s);
    }
  }
}

// @ts-ignore: decorator
@inline
function forwardOut(off: usize, xo: usize, xn: usize, rNext: usize, leak: v128, a0: v128, a1: v128, a2: v128, a3: v128): void {
  const x0 = f32x4.add(f32x4.add(f32x4.mul(leak, v128.load(xo + off)), a0), v128.load(pDrive + off));
  const x1 = f32x4.add(f32x4.add(f32x4.mul(leak, v128.load(xo + off, 16)), a1), v128.load(pDrive + off, 16));
  const x2 = f32x4.add(f32x4.add(f32x4.mul(leak, v128.load(xo + off, 32)), a2), v128.load(pDrive + off, 32));
  const x3 = f32x4.add(f32x4.add(f32x4.mul(leak, v128.load(xo + off, 48)), a3), v128.load(pDrive + off, 48));
  v128.store(xn + off, x0);
  v128.store(xn + off, x1, 16);
  v128.store(xn + off, x2, 32);
  v128.store(xn + off, x3, 48);
  v128.store(rNext + off, tanh4(x0));
  v128.store(rNext + off, tanh4(x1), 16);
  v128.store(rNext + off, tanh4(x2), 32);
  v128.store(rNext + off, tanh4(x3), 48);
}

/**
 * The product of a time step, src [B][P] (panel-major) x packed [P][P], two trials by 16
 * outputs at a time in eight accumulators (more do not fit V8's 16 vector registers),
 * each block finished by its epilogue while still in registers. Inlined with a constant
 * `forward`, so each call site compiles to one specialised loop nest.
 * - forward: x_{k+1} = leak x_k + (dt W) r_k + drive into p2 (p1 = x_k), r_{k+1} = tanh x_{k+1} into p3
 * - backward: a_k = leak a_{k+1} + ((dt W)^T a_{k+1}) (1 - r_k^2) into p2 (p1 = a_{k+1} = src, p3 = r_k);
 *   the output adjoint is added after
 */
// @ts-ignore: decorator
@inline
function product(src: usize, packed: usize, p1: usize, p2: usize, p3: usize, leakf: f32, forward: bool): void {
  const leak = f32x4.splat(leakf);
  const one = f32x4.splat(1);
  const panels = P / PANEL;
  const inPanels = (N + PANEL - 1) / PANEL;
  for (let p = 0; p < panels; p++) {
    const panel = packed + <usize>p * <usize>P * 64;
    let b = 0;
    for (; b + 1 < B; b += 2) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
      let w = panel;
      for (let q = 0; q < inPanels; q++) {
        const ra = src + at(b, q);
        for (let j: usize = 0; j < 64; j += 4, w += 64) {
          const sa = v128.load32_splat(ra + j);
          const sb = v128.load32_splat(ra + j, 64);
          const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48);
          a0 = f32x4.add(a0, f32x4.mul(sa, w0));
          a1 = f32x4.add(a1, f32x4.mul(sa, w1));
          a2 = f32x4.add(a2, f32x4.mul(sa, w2));
          a3 = f32x4.add(a3, f32x4.mul(sa, w3));
          b0 = f32x4.add(b0, f32x4.mul(sb, w0));
          b1 = f32x4.add(b1, f32x4.mul(sb, w1));
          b2 = f32x4.add(b2, f32x4.mul(sb, w2));
          b3 = f32x4.add(b3, f32x4.mul(sb, w3));
        }
      }
      const off = at(b, p);
      if (forward) {
        forwardOut(off, p1, p2, p3, leak, a0, a1, a2, a3);
        forwardOut(off + 64, p1, p2, p3, leak, b0, b1, b2, b3);
      } else {
        backwardOut(off, p1, p2, p3, leak, one, a0, a1, a2, a3);
        backwardOut(off + 64, p1, p2, p3, leak, one, b0, b1, b2, b3);
      }
    }
    if (b < B) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let w = panel;
      for (let q = 0; q < inPanels; q++) {
        const ra = src + at(b, q);
        for (let j: usize = 0; j < 64; j += 4, w += 64) {
          const sa = v128.load32_splat(ra + j);
          a0 = f32x4.add(a0, f32x4.mul(sa, v128.load(w)));
          a1 = f32x4.add(a1, f32x4.mul(sa, v128.load(w, 16)));
          a2 = f32x4.add(a2, f32x4.mul(sa, v128.load(w, 32)));
          a3 = f32x4.add(a3, f32x4.mul(sa, v128.load(w, 48)));
        }
      }
      if (forward) forwardOut(at(b, p), p1, p2, p3, leak, a0, a1, a2, a3);
      else backwardOut(at(b, p), p1, p2, p3, leak, one, a0, a1, a2, a3);
    }
  }
}

function forwardStep(r: usize, xo: usize, xn: usize, rNext: usize, leak: f32): void {
  product(r, pWf, xo, xn, rNext, leak, true);
}

function backwardStep(aOld: usize, r: usize, aNew: usize, leak: f32): void {
  product(aOld, pWb, aOld, aNew, r, leak, false);
}

function tanhRows(src: usize, dst: usize): void {
  const end = src + stepBytes;
  for (; src < end; src += 16, dst += 16) v128.store(dst, tanh4(v128.load(src)));
}

/** Readout of state x at step k: adds to the loss sum, writes dz_k, adds dz_k x_k^T to dL/dW_out. */
function readout(k: i32, x: usize, lossScale: f64, trainOut: bool): f64 {
  let sum: f64 = 0;
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < dOut; o++) {
      const idx = (<usize>(k * B + b) * <usize>dOut + <usize>o) << 2;
      const w = <f64>load<f32>(pMask + idx);
      if (w == 0) {
        store<f32>(pDz + idx, 0);
        continue;
      }
      const z = dotRow(x, b, pWout + <usize>o * rowBytes);
      const e = <f64>z - <f64>load<f32>(pTargets + idx);
      sum += w * e * e;
      const d = <f32>(lossScale * w * e);
      store<f32>(pDz + idx, d);
      if (trainOut) axpyFromRow(pGWout + <usize>o * rowBytes, x, b, d);
    }
  }
  return sum;
}

// ------------------------------------------------------------------ backward

// @ts-ignore: decorator
@inline
function backwardOut(off: usize, aOld: usize, aNew: usize, r: usize, leak: v128, one: v128, g0: v128, g1: v128, g2: v128, g3: v128): void {
  const r0 = v128.load(r + off), r1 = v128.load(r + off, 16), r2 = v128.load(r + off, 32), r3 = v128.load(r + off, 48);
  v128.store(aNew + off, f32x4.add(f32x4.mul(leak, v128.load(aOld + off)), f32x4.mul(g0, f32x4.sub(one, f32x4.mul(r0, r0)))));
  v128.store(aNew + off, f32x4.add(f32x4.mul(leak, v128.load(aOld + off, 16)), f32x4.mul(g1, f32x4.sub(one, f32x4.mul(r1, r1)))), 16);
  v128.store(aNew + off, f32x4.add(f32x4.mul(leak, v128.load(aOld + off, 32)), f32x4.mul(g2, f32x4.sub(one, f32x4.mul(r2, r2)))), 32);
  v128.store(aNew + off, f32x4.add(f32x4.mul(leak, v128.load(aOld + off, 48)), f32x4.mul(g3, f32x4.sub(one, f32x4.mul(r3, r3)))), 48);
}

/** a += W_out^T dz_k for every trial (the output adjoint o_k). */
function addOutputAdjoint(k: i32, a: usize): void {
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < dOut; o++) {
      const d = load<f32>(pDz + ((<usize>(k * B + b) * <usize>dOut + <usize>o) << 2));
      if (d != 0) axpyIntoRow(a, b, pWout + <usize>o * rowBytes, d);
    }
  }
}

/** dL/dW_in^T += s_k a_{k+1}^T (scaled by dt at the end) */
function addInputGradient(k: i32, a: usize): void {
  const base = pInputs + <usize>k * <usize>B * <usize>dIn * 4;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < dIn; j++) {
      const s = load<f32>(base + (<usize>(b * dIn + j) << 2));
      if (s != 0) axpyFromRow(pGWinT + <usize>j * rowBytes, a, b, s);
    }
  }
}

/**
 * dW[i][j] += sum over the chunk's steps s and trials b of A_s[b][i] R_s[b][j]: the
 * weight-gradient product of `steps` consecutive adjoints A (chunk entries) and states R
 * (slots), 2 x 16 outputs at a time. Both operands are panel-major, so every inner
 * iteration reads the next 64 bytes of each.
 */
function addOuterProducts(A: usize, R: usize, steps: i32): void {
  const panels = P / PANEL;
  const iPanels = (N + PANEL - 1) / PANEL;
  const rows = <usize>B << 6;
  for (let jp = 0; jp < panels; jp++) {
    for (let ip = 0; ip < iPanels; ip++) {
      const iEnd = min(PANEL, N - ip * PANEL);
      for (let ii = 0; ii < iEnd; ii += 2) {
        const ga = pGW + <usize>(ip * PANEL + ii) * rowBytes + (<usize>jp << 6);
        const gb = ga + rowBytes;
        let a0 = v128.load(ga), a1 = v128.load(ga, 16), a2 = v128.load(ga, 32), a3 = v128.load(ga, 48);
        let b0 = v128.load(gb), b1 = v128.load(gb, 16), b2 = v128.load(gb, 32), b3 = v128.load(gb, 48);
        for (let s = 0; s < steps; s++) {
          const ai = A + <usize>s * stepBytes + at(0, ip) + (<usize>ii << 2);
          const rj = R + <usize>s * stepBytes + at(0, jp);
          for (let r: usize = 0; r < rows; r += 64) {
            // The same eight-accumulator block as product(): registers cannot be handed to a helper.
            const sa = v128.load32_splat(ai + r);
            const sb = v128.load32_splat(ai + r, 4);
            const w = rj + r;
            const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48);
            a0 = f32x4.add(a0, f32x4.mul(sa, w0));
            a1 = f32x4.add(a1, f32x4.mul(sa, w1));
            a2 = f32x4.add(a2, f32x4.mul(sa, w2));
            a3 = f32x4.add(a3, f32x4.mul(sa, w3));
            b0 = f32x4.add(b0, f32x4.mul(sb, w0));
            b1 = f32x4.add(b1, f32x4.mul(sb, w1));
            b2 = f32x4.add(b2, f32x4.mul(sb, w2));
            b3 = f32x4.add(b3, f32x4.mul(sb, w3));
          }
        }
        v128.store(ga, a0);
        v128.store(ga, a1, 16);
        v128.store(ga, a2, 32);
        v128.store(ga, a3, 48);
        v128.store(gb, b0);
        v128.store(gb, b1, 16);
        v128.store(gb, b2, 32);
        v128.store(gb, b3, 48);
      }
    }
  }
}

// ------------------------------------------------------------------ the step

/**
 * Loss and gradients of one batch (already in memory: initial states, inputs, targets,
 * mask). `last` is the last masked step, `count` the mask's sum. Returns the loss; the
 * gradients of the trainable weights are in gradW/gradInT/gradOut (the others are zero)
 * and their sum of squares in gradientSumOfSquares().
 */
export function lossAndGrads(last: i32, count: f64, dtf: f32, noiseStd: f64, trainW: bool, trainIn: bool, trainOut: bool): f64 {
  const leak: f32 = 1 - dtf;
  const backward = trainW || (trainIn && dIn > 0);
  memory.fill(pGW, 0, <usize>P * rowBytes);
  memory.fill(pGWinT, 0, <usize>dIn * rowBytes);
  memory.fill(pGWout, 0, <usize>dOut * rowBytes);
  const perStep = <usize>B * <usize>dOut;
  for (let k = 0; k <= last; k++) {
    let any: u8 = 0;
    const m = pMask + ((<usize>k * perStep) << 2);
    for (let i: usize = 0; i < perStep; i++) if (load<f32>(m + (i << 2)) != 0) { any = 1; break; }
    store<u8>(pMasked + <usize>k, any);
  }
  pack(dtf);

  // Forward, up to the last masked step.
  const lossScale = 2 / count;
  spreadRows(pX0, pXa);
  tanhRows(pXa, slot(0));
  let sum: f64 = 0;
  if (load<u8>(pMasked)) sum += readout(0, pXa, lossScale, trainOut);
  let xo = pXa;
  let xn = pXb;
  for (let k = 0; k < last; k++) {
    makeDrive(k, noiseStd, dtf);
    forwardStep(slot(k), xo, xn, slot(k + 1), leak);
    if (load<u8>(pMasked + <usize>(k + 1))) sum += readout(k + 1, xn, lossScale, trainOut);
    const t = xo;
    xo = xn;
    xn = t;
  }

  // Backward, in chunks of C steps: entry e of the chunk holds a_{k0 + e}.
  if (backward && last > 0) {
    let k1 = last;
    let k0 = max(0, k1 - C);
    memory.fill(entry(k1 - k0), 0, stepBytes);
    addOutputAdjoint(last, entry(k1 - k0));
    for (;;) {
      for (let k = k1 - 1; k >= k0; k--) {
        const aNext = entry(k + 1 - k0);
        if (trainIn && dIn > 0) addInputGradient(k, aNext);
        if (k > 0) {
          const a = entry(k - k0);
          backwardStep(aNext, slot(k), a, leak);
          if (load<u8>(pMasked + <usize>k)) addOutputAdjoint(k, a);
        }
      }
      if (trainW) addOuterProducts(entry(1), slot(k0), k1 - k0);
      if (k0 == 0) break;
      const next0 = max(0, k0 - C);
      memory.copy(entry(k0 - next0), entry(0), stepBytes);
      k1 = k0;
      k0 = next0;
    }
    if (trainW) scale(pGW, dtf, P * P);
    if (trainIn) scale(pGWinT, dtf, dIn * P);
  }

  gradSumSq = 0;
  if (trainW) gradSumSq += sumSquares(pGW, P * P);
  if (trainIn) gradSumSq += sumSquares(pGWinT, dIn * P);
  if (trainOut) gradSumSq += sumSquares(pGWout, dOut * P);
  return sum / count;
}

// ------------------------------------------------------------------ Adam

/** One Adam update of w from g (torch.optim.Adam's formula, as src/core/adam.ts). */
function adam(w: usize, g: usize, m: usize, v: usize, n: i32, beta1: f32, beta2: f32, eps: f32, stepSize: f32, sqrtBc2: f32): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const ev = f32x4.splat(eps), sv = f32x4.splat(stepSize), bc = f32x4.splat(sqrtBc2);
  const end = <usize>n << 2;
  for (let i: usize = 0; i < end; i += 16) {
    const gi = v128.load(g + i);
    const mi = f32x4.add(f32x4.mul(v128.load(m + i), b1), f32x4.mul(gi, c1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + i), b2), f32x4.mul(f32x4.mul(gi, gi), c2));
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), bc), ev);
    v128.store(m + i, mi);
    v128.store(v + i, vi);
    v128.store(w + i, f32x4.sub(v128.load(w + i), f32x4.mul(f32x4.div(mi, denom), sv)));
  }
}

export function adamStep(trainW: bool, trainIn: bool, trainOut: bool, beta1: f32, beta2: f32, eps: f32, stepSize: f32, sqrtBc2: f32): void {
  if (trainW) adam(pW, pGW, pMW, pVW, P * P, beta1, beta2, eps, stepSize, sqrtBc2);
  if (trainIn) adam(pWinT, pGWinT, pMWin, pVWin, dIn * P, beta1, beta2, eps, stepSize, sqrtBc2);
  if (trainOut) adam(pWout, pGWout, pMWout, pVWout, dOut * P, beta1, beta2, eps, stepSize, sqrtBc2);
}
