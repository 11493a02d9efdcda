// Membership functions, vectorised over Float64Array (NaN in → NaN out). The scalar definition of each
// type, KTRDR's exact semantics included, lives in src/common/fuzzy.ts, shared with the renderer's plots.
import { gaussianAt, leftShoulderAt, rightShoulderAt, trapezoidalAt, triangularAt } from '../../common/fuzzy';
import type { MembershipType } from '../strategy/types';

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
  for (let i = 0; i < x.length; i++) out[i] = triangularAt(a, b, c, x[i]);
}

function trapezoidal(x: Float64Array, [a, b, c, d]: readonly number[], out: Float64Array): void {
  for (let i = 0; i < x.length; i++) out[i] = trapezoidalAt(a, b, c, d, x[i]);
}

function gaussian(x: Float64Array, [mu, sigma]: readonly number[], out: Float64Array): void {
  for (let i = 0; i < x.length; i++) out[i] = gaussianAt(mu, sigma, x[i]);
}

function leftShoulder(x: Float64Array, [a, b]: readonly number[], out: Float64Array): void {
  for (let i = 0; i < x.length; i++) out[i] = leftShoulderAt(a, b, x[i]);
}

function rightShoulder(x: Float64Array, [a, b]: readonly number[], out: Float64Array): void {
  for (let i = 0; i < x.length; i++) out[i] = rightShoulderAt(a, b, x[i]);
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
