// Fuzzy membership functions, one scalar definition per type: core's vectorised evaluation
// (core/fuzzy/membership.ts, what training and backtests compute) and the renderer's plots of a
// strategy's fuzzy sets both call these, so the plot is the function the model was trained on.
//
// triangular / trapezoidal / gaussian follow KTRDR's scalar path exactly (ktrdr/fuzzy/membership.py):
//   triangular [a,b,c]: x==b → 1 (checked first); x≤a or x≥c → 0; rising (x-a)/(b-a); falling (c-x)/(c-b).
//     So there are NO saturating shoulders: [70,100,100] is 0 at 105 and [0,0,30] is 0 below 0.
//   trapezoidal [a,b,c,d]: x≤a or x≥d → 0 (checked first, so [0,0,10,20] is 0 at 0); b≤x≤c → 1; linear sides.
//   gaussian [μ,σ]: exp(-½((x-μ)/σ)²).
// left_shoulder / right_shoulder are additions for the saturating case KTRDR cannot express:
//   left_shoulder [a,b]: 1 for x≤a, falls linearly to 0 at b, 0 beyond.   right_shoulder [a,b]: mirror image.
// NaN in → NaN out (every comparison with NaN is false, so the arithmetic branch runs on it).

/** numpy's float eps: KTRDR's guard against a zero-width side. */
export const MEMBERSHIP_EPS = 2.220446049250313e-16;

export function triangularAt(a: number, b: number, c: number, x: number): number {
  if (x === b) return 1;
  if (x <= a || x >= c) return 0;
  return x < b ? (x - a) / Math.max(b - a, MEMBERSHIP_EPS) : (c - x) / Math.max(c - b, MEMBERSHIP_EPS);
}

export function trapezoidalAt(a: number, b: number, c: number, d: number, x: number): number {
  if (x <= a || x >= d) return 0;
  if (x < b) return (x - a) / Math.max(b - a, MEMBERSHIP_EPS);
  if (x <= c) return 1;
  return (d - x) / Math.max(d - c, MEMBERSHIP_EPS);
}

export function gaussianAt(mu: number, sigma: number, x: number): number {
  const z = (x - mu) / sigma;
  return Math.exp(-0.5 * z * z);
}

export function leftShoulderAt(a: number, b: number, x: number): number {
  if (x <= a) return 1;
  if (x >= b) return 0;
  return (b - x) / (b - a);
}

export function rightShoulderAt(a: number, b: number, x: number): number {
  if (x >= b) return 1;
  if (x <= a) return 0;
  return (x - a) / (b - a);
}

/** μ(x) of a set given by its type name and parameters; NaN for an unknown type. */
export function membershipAt(type: string, p: readonly number[], x: number): number {
  switch (type) {
    case 'triangular':
      return triangularAt(p[0], p[1], p[2], x);
    case 'trapezoidal':
      return trapezoidalAt(p[0], p[1], p[2], p[3], x);
    case 'gaussian':
      return gaussianAt(p[0], p[1], x);
    case 'left_shoulder':
      return leftShoulderAt(p[0], p[1], x);
    case 'right_shoulder':
      return rightShoulderAt(p[0], p[1], x);
    default:
      return NaN;
  }
}
