export { evaluateMembership, membershipType, MEMBERSHIPS, MEMBERSHIP_ALIASES, type MembershipInfo } from './membership';
export { fuzzify } from './fuzzify';
