// Membership functions, vectorised over Float64Array. NaN in → NaN out.
//
// triangular / trapezoidal / gaussian follow KTRDR's scalar path exactly (ktrdr/fuzzy/membership.py),
// because that is what its engine evaluates and what trained models expect:
//   triangular [a,b,c]: x==b → 1 (checked first); x≤a or x≥c → 0; rising (x-a)/(b-a); falling (c-x)/(c-b).
//     So there are NO saturating shoulders: [70,100,100] is 0 at 105 and [0,0,30] is 0 below 0.
//   trapezoidal [a,b,c,d]: x≤a or x≥d → 0 (checked first, so [0,0,10,20] is 0 at 0); b≤x≤c → 1; linear sides.
//   gaussian [μ,σ]: exp(-½((x-μ)/σ)²).
// left_shoulder / right_shoulder are additions for the saturating case KTRDR cannot express:
//   left_shoulder [a,b]: 1 for x≤a, falls linearly to 0 at b, 0 beyond.   right_shoulder [a,b]: mirror image.
import type { MembershipType } from '../strategy/types';

const EPS = 2.220446049250313e-16; // numpy float eps, KTRDR's guard against a zero-width side

export interface MembershipInfo {
  type: MembershipType;
  params: string;
  count: number;
  /** Why the parameters are unusable, or null. */
  check(p: readonly number[]): string | null;
}

const ordered = (p: readonly number[]) => p.every((v, i) => i === 0 || p[i - 1] <= v);

export const MEMBERSHIPS: Record<MembershipType, MembershipInfo> = {
  triangular: { type: 'triangular', params: '[a, b, c]', count: 3, check: (p) => (ordered(p) ? null : 'parameters must satisfy a ≤ b ≤ c') },
  trapezoidal: { type: 'trapezoidal', params: '[a, b, c, d]', count: 4, check: (p) => (ordered(p) ? null : 'parameters must satisfy a ≤ b ≤ c ≤ d') },
  gaussian: { type: 'gaussian', params: '[mean, sigma]', count: 2, check: (p) => (p[1] > 0 ? null : `sigma must be > 0 (got ${p[1]})`) },
  left_shoulder: { type: 'left_shoulder', params: '[a, b]', count: 2, check: (p) => (ordered(p) ? null : 'parameters must satisfy a ≤ b') },
  right_shoulder: { type: 'right_shoulder', params: '[a, b]', count: 2, check: (p) => (ordered(p) ? null : 'parameters must satisfy a ≤ b') },
};

/** Other spellings accepted for a type (KTRDR class names and v2 short names). */
export const MEMBERSHIP_ALIASES: Record<string, MembershipType> = {
  triangularmf: 'triangular',
  triangle: 'triangular',
  trapezoidalmf: 'trapezoidal',
  trapezoid: 'trapezoidal',
  gaussianmf: 'gaussian',
  gauss: 'gaussian',
  leftshoulder: 'left_shoulder',
  rightshoulder: 'right_shoulder',
};

export function membershipType(name: string): MembershipType | undefined {
  const n = name.trim().toLowerCase();
  return (n in MEMBERSHIPS ? (n as MembershipType) : undefined) ?? MEMBERSHIP_ALIASES[n];
}

function triangular(x: Float64Array, [a, b, c]: readonly number[], out: Float64Array): void {
  const up = Math.max(b - a, EPS);
  const down = Math.max(c - b, EPS);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v !== v) out[i] = NaN;
    else if (v === b) out[i] = 1;
    else if (v <= a || v >= c) out[i] = 0;
    else if (v < b) out[i] = (v - a) / up;
    else out[i] = (c - v) / down;
  }
}

function trapezoidal(x: Float64Array, [a, b, c, d]: readonly number[], out: Float64Array): void {
  const up = Math.max(b - a, EPS);
  const down = Math.max(d - c, EPS);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v !== v) out[i] = NaN;
    else if (v <= a || v >= d) out[i] = 0;
    else if (v < b) out[i] = (v - a) / up;
    else if (v <= c) out[i] = 1;
    else out[i] = (d - v) / down;
  }
}

function gaussian(x: Float64Array, [mu, sigma]: readonly number[], out: Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    const z = (x[i] - mu) / sigma;
    out[i] = Math.exp(-0.5 * z * z); // NaN propagates
  }
}

function leftShoulder(x: Float64Array, [a, b]: readonly number[], out: Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v !== v) out[i] = NaN;
    else if (v <= a) out[i] = 1;
    else if (v >= b) out[i] = 0;
    else out[i] = (b - v) / (b - a);
  }
}

function rightShoulder(x: Float64Array, [a, b]: readonly number[], out: Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v !== v) out[i] = NaN;
    else if (v >= b) out[i] = 1;
    else if (v <= a) out[i] = 0;
    else out[i] = (v - a) / (b - a);
  }
}

const IMPL: Record<MembershipType, (x: Float64Array, p: readonly number[], out: Float64Array) => void> = {
  triangular,
  trapezoidal,
  gaussian,
  left_shoulder: leftShoulder,
  right_shoulder: rightShoulder,
};

/** μ(x) for every x. Parameters are assumed valid (see MEMBERSHIPS[type].check). */
export function evaluateMembership(type: MembershipType, parameters: readonly number[], x: Float64Array, out = new Float64Array(x.length)): Float64Array {
  IMPL[type](x, parameters, out);
  return out;
}
