// Collects problems and pins each to the line:column of the node it is about.
import { categoryOf } from './keys';
import type { IssueCategory, IssueSeverity, StrategyIssue } from './types';
import { pathToString, type PathSegment, type YamlSource } from './yaml-source';

export interface IssueOptions {
  suggestion?: string;
  category?: IssueCategory;
  /** Point at the key rather than its value (unknown keys). */
  atKey?: boolean;
}

export class IssueCollector {
  readonly issues: StrategyIssue[] = [];

  constructor(
    private readonly src: YamlSource,
    /** Migrated path prefix → where it is in the file. */
    private readonly aliases: ReadonlyMap<string, PathSegment[]> = new Map(),
  ) {}

  add(severity: IssueSeverity, path: readonly PathSegment[], message: string, opts: IssueOptions = {}): void {
    const pos = this.src.locate(this.filePath(path), { key: opts.atKey });
    const issue: StrategyIssue = { severity, category: opts.category ?? categoryOf(path), message };
    if (pos) {
      issue.line = pos.line;
      issue.column = pos.column;
    }
    if (path.length) issue.path = pathToString(path);
    if (opts.suggestion) issue.suggestion = opts.suggestion;
    this.issues.push(issue);
  }

  error(path: readonly PathSegment[], message: string, opts?: IssueOptions): void {
    this.add('error', path, message, opts);
  }
  warn(path: readonly PathSegment[], message: string, opts?: IssueOptions): void {
    this.add('warning', path, message, opts);
  }
  info(path: readonly PathSegment[], message: string, opts?: IssueOptions): void {
    this.add('info', path, message, opts);
  }

  hasErrors(): boolean {
    return this.issues.some((i) => i.severity === 'error');
  }

  private filePath(path: readonly PathSegment[]): PathSegment[] {
    for (let k = path.length; k > 0; k--) {
      const alias = this.aliases.get(pathToString(path.slice(0, k)));
      if (alias) return [...alias, ...path.slice(k)];
    }
    return [...path];
  }
}
