// tanh of four floats at once: Eigen's rational minimax approximation (odd degree-13
// numerator over even degree-6 denominator), one division per vector. Its largest error
// against Math.tanh is 3.4e-7 relative (test/unit/kernel.test.ts measures it), about
// what float32 rounding of the sigmoid form costs on the tfjs path. NaN stays NaN
// (f32x4.min/max propagate it), so a diverging run is still caught.

// Beyond this |x| the approximation reaches 1 in float32.
const CLAMP: f32 = 7.90531110763549805;
const A1: f32 = 4.89352455891786e-3;
const A3: f32 = 6.37261928875436e-4;
const A5: f32 = 1.48572235717979e-5;
const A7: f32 = 5.12229709037114e-8;
const A9: f32 = -8.60467152213735e-11;
const A11: f32 = 2.00018790482477e-13;
const A13: f32 = -2.76076847742355e-16;
const B0: f32 = 4.89352518554385e-3;
const B2: f32 = 2.268434632439e-3;
const B4: f32 = 1.18534705686654e-4;
const B6: f32 = 1.19825839466702e-6;

// @ts-ignore: decorator
@inline
export function tanh4(v: v128): v128 {
  const x = f32x4.min(f32x4.max(v, f32x4.splat(-CLAMP)), f32x4.splat(CLAMP));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(f32x4.splat(A13), x2), f32x4.splat(A11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A9));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A7));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A5));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A3));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(A1));
  p = f32x4.mul(p, x);
  let q = f32x4.add(f32x4.mul(f32x4.splat(B6), x2), f32x4.splat(B4));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(B2));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(B0));
  return f32x4.div(p, q);
}

/** out[i] = tanh(in[i]) for n floats (n a multiple of 4); for tests. */
export function tanhArray(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) v128.store(dst + (<usize>i << 2), tanh4(v128.load(src + (<usize>i << 2))));
}
