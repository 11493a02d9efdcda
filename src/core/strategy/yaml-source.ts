// YAML text → plain value, keeping the node tree so that any key path can be turned back into line:column.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
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

export function readYaml(text: string): YamlSource {
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
  let value: unknown = null;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    issues.push({ severity: 'error', category: 'yaml', message: `YAML: ${firstLine((err as Error).message)}` });
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
