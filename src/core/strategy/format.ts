import type { StrategyIssue } from './types';

/** One line per issue: `file.yaml:12:5 error indicators.rsi_14.period: must be ≥ 2 (got 0) — hint`. */
export function formatIssue(issue: StrategyIssue, sourceName = '<strategy>'): string {
  const where = issue.line ? `${sourceName}:${issue.line}:${issue.column ?? 1}` : sourceName;
  const path = issue.path ? `${issue.path}: ` : '';
  const hint = issue.suggestion ? ` (${issue.suggestion})` : '';
  return `${where} ${issue.severity} ${path}${issue.message}${hint}`;
}
