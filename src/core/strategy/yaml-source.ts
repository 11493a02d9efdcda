// YAML text → plain value, keeping the node tree so that any key path can be turned back into line:column.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { StrategyIssue } from './types';

export type PathSegment = string | number;

export interface Position {
  line: number;
  column: number;
}

export interface YamlSource {
  /** The document as plain JS (null when the text is empty). */
  value: unknown;
  /** Syntax problems; when any is present `value` may be partial. */
  issues: StrategyIssue[];
  /** Position of the value at `path` (or of its key with `key: true`); the nearest existing ancestor when absent. */
  locate(path: readonly PathSegment[], opts?: { key?: boolean }): Position | undefined;
}

export function pathToString(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** Child node of a map/seq and, for maps, the key node. */
function child(node: unknown, seg: PathSegment): { value: Node | null; key?: Node } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(k) === String(seg)) return { value: (pair.value as Node | null) ?? null, key: pair.key as Node };
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === 'number') {
    const item = node.items[seg];
    return item === undefined ? undefined : { value: item as Node | null };
  }
  return undefined;
}

/**
 * Bounds on user YAML (strategies are a few KiB, a dozen levels deep). The `yaml` library's
 * toJS is super-linear on deeply nested, broken flow collections (350 `{` took 10 s), so text
 * beyond these bounds is refused before or right after parsing, never converted.
 */
export const YAML_LIMITS = { maxChars: 16 * 1024, maxDepth: 64, maxAliases: 100, maxIssues: 50 } as const;

/**
 * Deepest flow-collection nesting (`{`/`[`) outside comments: a linear pre-scan. Brackets inside
 * quoted strings count too; over-counting only refuses text no strategy looks like.
 */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 35 && (i === 0 || text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 10)) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
    } else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if ((c === 125 || c === 93) && depth > 0) depth--;
  }
  return max;
}

/** Depth of the node tree and the number of alias nodes, walked iteratively (no recursion limit). */
function treeShape(root: unknown): { depth: number; aliases: number } {
  let depth = 0;
  let aliases = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length) {
    const [node, d] = stack.pop()!;
    if (node === null || node === undefined) continue;
    if (isAlias(node)) {
      aliases++;
      continue;
    }
    if (d > depth) depth = d;
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          stack.push([item.key, d + 1], [item.value, d + 1]);
        } else stack.push([item, d + 1]);
      }
    }
  }
  return { depth, aliases };
}

function refusal(message: string): YamlSource {
  return { value: null, issues: [{ severity: 'error', category: 'yaml', message, line: 1, column: 1 }], locate: () => undefined };
}

export function readYaml(text: string): YamlSource {
  if (text.length > YAML_LIMITS.maxChars) return refusal(`YAML: the text is ${text.length} characters; at most ${YAML_LIMITS.maxChars} are accepted`);
  if (flowDepth(text) > YAML_LIMITS.maxDepth) return refusal(`YAML: collections nested deeper than ${YAML_LIMITS.maxDepth} levels are not accepted`);
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, merge: true });
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const issues: StrategyIssue[] = [];
  for (const e of doc.errors) {
    const p = e.linePos?.[0];
    issues.push({
      severity: 'error',
      category: 'yaml',
      message: `YAML syntax: ${firstLine(e.message)}`,
      line: p?.line ?? pos(e.pos[0]).line,
      column: p?.col ?? pos(e.pos[0]).column,
    });
  }
  for (const w of doc.warnings) {
    const p = w.linePos?.[0];
    issues.push({ severity: 'warning', category: 'yaml', message: `YAML: ${firstLine(w.message)}`, line: p?.line, column: p?.col });
  }
  if (issues.length > YAML_LIMITS.maxIssues) issues.splice(YAML_LIMITS.maxIssues);
  let value: unknown = null;
  // Converting a document with syntax errors is both pointless (the caller stops at them) and the slow path.
  if (doc.errors.length === 0) {
    const shape = treeShape(doc.contents);
    if (shape.depth > YAML_LIMITS.maxDepth) issues.push({ severity: 'error', category: 'yaml', message: `YAML: collections nested deeper than ${YAML_LIMITS.maxDepth} levels are not accepted`, line: 1, column: 1 });
    else if (shape.aliases > YAML_LIMITS.maxAliases) issues.push({ severity: 'error', category: 'yaml', message: `YAML: more than ${YAML_LIMITS.maxAliases} aliases (*name) are not accepted`, line: 1, column: 1 });
    else {
      try {
        value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliases });
      } catch (err) {
        issues.push({ severity: 'error', category: 'yaml', message: `YAML: ${firstLine((err as Error).message)}` });
      }
    }
  }

  const locate = (path: readonly PathSegment[], opts: { key?: boolean } = {}): Position | undefined => {
    let node: unknown = doc.contents;
    let best: Position | undefined = nodePos(node);
    for (let i = 0; i < path.length; i++) {
      const c = child(node, path[i]);
      if (!c) return best;
      const last = i === path.length - 1;
      if (last && opts.key && c.key) return nodePos(c.key) ?? best;
      node = c.value;
      // A key with an empty value (`fuzzy_sets:`) has no value node: point at the key.
      best = nodePos(node) ?? (c.key ? nodePos(c.key) : undefined) ?? best;
    }
    return best;
  };
  function nodePos(node: unknown): Position | undefined {
    const range = (node as Node | null | undefined)?.range;
    return range ? pos(range[0]) : undefined;
  }
  return { value, issues, locate };
}
