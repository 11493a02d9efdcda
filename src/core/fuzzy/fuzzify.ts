// A fuzzy set turns one indicator series into one membership series per membership function
// (YAML order). No normalisation across memberships: degrees need not sum to 1 (KTRDR semantics).
import type { FuzzySetConfig } from '../strategy/types';
import { evaluateMembership } from './membership';

export function fuzzify(set: FuzzySetConfig, values: Float64Array): { name: string; values: Float64Array }[] {
  return set.memberships.map((m) => ({ name: m.name, values: evaluateMembership(m.type, m.parameters, values) }));
}
