// zod's structural issues → author-facing messages ("must be ≥ 2 (got 0)", "is required").
import type { z } from 'zod';
import type { IssueCollector } from './issues';
import { didYouMean } from './suggest';
import type { PathSegment } from './yaml-source';

const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : v === null ? 'nothing' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : String(v));

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a text value',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of keys',
  record: 'a mapping of ids',
};

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** A close key in the parent mapping when a required key is missing (a likely typo). */
function typoFor(root: unknown, path: readonly PathSegment[]): string | undefined {
  const parent = valueAt(root, path.slice(0, -1));
  const missing = path[path.length - 1];
  if (!parent || typeof parent !== 'object' || Array.isArray(parent) || typeof missing !== 'string') return undefined;
  const hit = didYouMean(missing, Object.keys(parent));
  return hit ? `found ${hit.replace(/^did you mean /, '').replace(/\?$/, '')} — a misspelling of '${missing}'?` : undefined;
}

export function reportZodIssues(error: z.ZodError, root: unknown, out: IssueCollector): void {
  for (const issue of error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const value = valueAt(root, path);
    const i = issue as z.core.$ZodIssue & Record<string, any>;
    switch (i.code) {
      case 'invalid_type':
        if (value === undefined) out.error(path, 'is required', { suggestion: typoFor(root, path) });
        else out.error(path, `must be ${TYPE_WORDS[i.expected] ?? i.expected} (got ${show(value)})`);
        break;
      case 'too_small':
        if (i.origin === 'array') out.error(path, `needs at least ${i.minimum} item${Number(i.minimum) === 1 ? '' : 's'}`);
        else if (i.origin === 'string') out.error(path, 'must not be empty');
        else out.error(path, `must be ${i.inclusive ? '≥' : '>'} ${i.minimum} (got ${show(value)})`);
        break;
      case 'too_big':
        if (i.origin === 'array') out.error(path, `has more than ${i.maximum} items`);
        else out.error(path, `must be ${i.inclusive ? '≤' : '<'} ${i.maximum} (got ${show(value)})`);
        break;
      case 'invalid_value': {
        const values = (i.values as unknown[]).map(String);
        out.error(path, `must be ${values.length === 1 ? `'${values[0]}'` : `one of ${values.join(' | ')}`} (got ${show(value)})`, {
          suggestion: typeof value === 'string' ? didYouMean(value, values) : undefined,
        });
        break;
      }
      case 'invalid_union':
        out.error(path, path[path.length - 1] === 'timeframes' ? `must be "all" or a list of timeframes (got ${show(value)})` : `has an invalid value (got ${show(value)})`);
        break;
      default:
        out.error(path, i.message);
    }
  }
}
