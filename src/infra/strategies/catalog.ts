// Strategy files on disk: the user's folder (<KTRDR_HOME>/strategies) first, then the bundled samples.
// Names are plain file stems ([A-Za-z0-9_.-]+): a name can never reach outside these folders.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { DEFAULT_CATALOG, parseStrategy, type IndicatorCatalog } from '../../core/strategy';
import type { ParseResult } from '../../core/strategy/types';
import type { ParsePool } from '../threads/parse-pool';

export const STRATEGY_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const EXTENSIONS = ['.yaml', '.yml'];

export class InvalidStrategyNameError extends Error {}

export class StrategyValidationFailedError extends Error {
  constructor(readonly result: ParseResult) {
    super(`strategy is invalid: ${result.issues.filter((i) => i.severity === 'error').length} error(s)`);
  }
}

export interface StrategySummary {
  name: string;
  /** `name:` inside the file (may differ from the file name). */
  strategy_name: string | null;
  description: string;
  valid: boolean;
  error_count: number;
  warning_count: number;
  symbols: string[];
  timeframes: string[];
  path: string;
  source: 'user' | 'bundled';
  modified_at: string;
}

export interface LoadedStrategy {
  name: string;
  path: string;
  source: 'user' | 'bundled';
  yaml: string;
  result: ParseResult;
}

/** The repository's `strategies/` folder, from the sources (src/infra/strategies) or the bundle (out/main). */
export function findBundledStrategiesDir(start: string = __dirname): string | null {
  if (process.env.KTRDR_BUNDLED_STRATEGIES) return resolve(process.env.KTRDR_BUNDLED_STRATEGIES);
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'strategies'))) return join(dir, 'strategies');
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** Throws unless `name` is a bare strategy name (an optional .yaml/.yml suffix is dropped). */
export function checkStrategyName(raw: string): string {
  const name = EXTENSIONS.reduce((n, ext) => (n.toLowerCase().endsWith(ext) ? n.slice(0, -ext.length) : n), raw);
  if (!STRATEGY_NAME_RE.test(name) || name.includes('..') || name.length > 200)
    throw new InvalidStrategyNameError(`invalid strategy name '${raw}': use letters, digits, '_', '.' and '-' only (no paths)`);
  return name;
}

function inside(dir: string, file: string): boolean {
  const d = resolve(dir);
  return resolve(file).startsWith(d + sep);
}

export class StrategyCatalog {
  readonly userDir: string;
  readonly bundledDir: string | null;
  private readonly indicators?: IndicatorCatalog;
  /** Threads that parse with the default indicator catalogue (the server's); absent: every parse is synchronous. */
  private readonly pool?: ParsePool;
  private readonly cache = new Map<string, { mtimeMs: number; size: number; summary: Omit<StrategySummary, 'name' | 'path' | 'source'> }>();

  constructor(opts: { userDir: string; bundledDir?: string | null; indicators?: IndicatorCatalog; parsePool?: ParsePool }) {
    this.userDir = resolve(opts.userDir);
    this.bundledDir = opts.bundledDir === undefined ? findBundledStrategiesDir() : opts.bundledDir && resolve(opts.bundledDir);
    this.indicators = opts.indicators;
    // The threads know only the default catalogue: any other one parses on the caller's thread.
    if (opts.indicators === undefined || opts.indicators === DEFAULT_CATALOG) this.pool = opts.parsePool;
  }

  /** Folders searched, user first. */
  dirs(): { dir: string; source: 'user' | 'bundled' }[] {
    const out: { dir: string; source: 'user' | 'bundled' }[] = [{ dir: this.userDir, source: 'user' }];
    if (this.bundledDir && this.bundledDir !== this.userDir) out.push({ dir: this.bundledDir, source: 'bundled' });
    return out;
  }

  /**
   * Parsing is pure but the YAML library is slow (tens of ms per strategy): listing every strategy
   * on each GET would stall the event loop. The same text parses to the same result, so recent
   * results are kept (results are treated as read-only by every caller).
   */
  private readonly parsed = new Map<string, ParseResult>();
  private readonly parsing = new Map<string, Promise<ParseResult>>();

  private recall(key: string): ParseResult | undefined {
    const hit = this.parsed.get(key);
    if (hit) {
      this.parsed.delete(key);
      this.parsed.set(key, hit); // most recent last
    }
    return hit;
  }

  private remember(key: string, result: ParseResult): void {
    this.parsed.set(key, result);
    if (this.parsed.size > 64) this.parsed.delete(this.parsed.keys().next().value!);
  }

  parse(yaml: string, sourceName?: string): ParseResult {
    const key = `${sourceName ?? ''}\u0000${yaml}`;
    const hit = this.recall(key);
    if (hit) return hit;
    const result = parseStrategy(yaml, { sourceName, catalog: this.indicators });
    this.remember(key, result);
    return result;
  }

  /**
   * Same result as parse(), computed on a parse thread when the catalog has one, so that user text
   * (request bodies) never blocks the event loop; the result is cached, so a following parse() of
   * the same text is instant.
   */
  async parseAsync(yaml: string, sourceName?: string): Promise<ParseResult> {
    const key = `${sourceName ?? ''}\u0000${yaml}`;
    const hit = this.recall(key);
    if (hit) return hit;
    if (!this.pool) return this.parse(yaml, sourceName);
    let pending = this.parsing.get(key);
    if (!pending) {
      pending = this.pool.parseStrategy(yaml, sourceName).finally(() => this.parsing.delete(key));
      this.parsing.set(key, pending);
    }
    const result = await pending;
    this.remember(key, result);
    return result;
  }

  /** Every strategy file by name (a user file shadows a bundled one of the same name), unsorted. */
  private files(): { name: string; path: string; source: 'user' | 'bundled' }[] {
    const seen = new Set<string>();
    const out: { name: string; path: string; source: 'user' | 'bundled' }[] = [];
    for (const { dir, source } of this.dirs()) {
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir).sort()) {
        const ext = EXTENSIONS.find((e) => file.toLowerCase().endsWith(e));
        if (!ext) continue;
        const name = file.slice(0, -ext.length);
        if (!STRATEGY_NAME_RE.test(name) || seen.has(name)) continue;
        seen.add(name);
        out.push({ name, path: join(dir, file), source });
      }
    }
    return out;
  }

  /** Every strategy by name; a user file shadows a bundled one of the same name. */
  list(): StrategySummary[] {
    const out: StrategySummary[] = [];
    for (const { name, path, source } of this.files()) {
      try {
        out.push({ name, path, source, ...this.summarise(path) });
      } catch {
        // unreadable file (permissions, removed meanwhile): not listed
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The summary of one strategy file (as list() gives it), or null when it cannot be read. */
  summaryOf(f: { name: string; path: string; source: 'user' | 'bundled' }): StrategySummary | null {
    try {
      return { name: f.name, path: f.path, source: f.source, ...this.summarise(f.path) };
    } catch {
      return null;
    }
  }

  /**
   * Parses, on the parse threads, every strategy file whose summary is not cached yet (new or
   * changed files), so that list() and load() that follow find their results cached.
   */
  async warmAll(): Promise<void> {
    if (!this.pool) return;
    const pending: Promise<ParseResult>[] = [];
    for (const { path } of this.files()) {
      try {
        const st = statSync(path);
        const hit = this.cache.get(path);
        if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) continue;
        pending.push(this.parseAsync(readFileSync(path, 'utf8'), basename(path)));
      } catch {
        // unreadable: list() skips it too
      }
    }
    await Promise.all(pending);
  }

  private summarise(path: string): Omit<StrategySummary, 'name' | 'path' | 'source'> {
    const st = statSync(path);
    const hit = this.cache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.summary;
    const yaml = readFileSync(path, 'utf8');
    // The same source name as load() (`<name>.yaml`): one cached parse serves both.
    const r = this.parse(yaml, basename(path));
    const raw = r.strategy;
    const summary = {
      strategy_name: raw?.name ?? nameFromText(yaml),
      description: raw?.description ?? '',
      valid: r.valid,
      error_count: r.issues.filter((i) => i.severity === 'error').length,
      warning_count: r.issues.filter((i) => i.severity === 'warning').length,
      symbols: raw?.training_data.symbols.list ?? [],
      timeframes: raw?.training_data.timeframes.list ?? [],
      modified_at: st.mtime.toISOString(),
    };
    this.cache.set(path, { mtimeMs: st.mtimeMs, size: st.size, summary });
    return summary;
  }

  /** The file of a strategy, or null. Throws InvalidStrategyNameError for names that are not bare names. */
  find(name: string): { path: string; source: 'user' | 'bundled'; name: string } | null {
    const clean = checkStrategyName(name);
    for (const { dir, source } of this.dirs())
      for (const ext of EXTENSIONS) {
        const path = join(dir, clean + ext);
        if (inside(dir, path) && existsSync(path)) return { path, source, name: clean };
      }
    return null;
  }

  load(name: string): LoadedStrategy | null {
    const f = this.find(name);
    if (!f) return null;
    const yaml = readFileSync(f.path, 'utf8');
    return { ...f, yaml, result: this.parse(yaml, basename(f.path)) };
  }

  /** load() with the file parsed on a parse thread (routes that read a strategy by name). */
  async loadAsync(name: string): Promise<LoadedStrategy | null> {
    const f = this.find(name);
    if (!f) return null;
    const yaml = readFileSync(f.path, 'utf8');
    return { ...f, yaml, result: await this.parseAsync(yaml, basename(f.path)) };
  }

  /** Validates, then writes <userDir>/<name>.yaml atomically (temp file + rename). Warnings do not block. */
  save(name: string, yaml: string, opts: { overwrite?: boolean } = {}): { path: string; result: ParseResult } {
    const clean = checkStrategyName(name);
    return this.write(clean, yaml, this.parse(yaml, `${clean}.yaml`), opts);
  }

  /** save() with the text parsed off the main thread (request bodies). */
  async saveAsync(name: string, yaml: string, opts: { overwrite?: boolean } = {}): Promise<{ path: string; result: ParseResult }> {
    const clean = checkStrategyName(name);
    return this.write(clean, yaml, await this.parseAsync(yaml, `${clean}.yaml`), opts);
  }

  private write(clean: string, yaml: string, result: ParseResult, opts: { overwrite?: boolean }): { path: string; result: ParseResult } {
    if (!result.valid) throw new StrategyValidationFailedError(result);
    const path = join(this.userDir, `${clean}.yaml`);
    if (!inside(this.userDir, path)) throw new InvalidStrategyNameError(`invalid strategy name '${clean}'`);
    // Without overwrite the name must be new everywhere: a copy may not silently shadow a bundled one.
    if (!opts.overwrite && (existsSync(path) || this.find(clean))) throw new InvalidStrategyNameError(`strategy '${clean}' already exists`);
    mkdirSync(this.userDir, { recursive: true });
    const tmp = join(this.userDir, `.${clean}.${process.pid}.${Date.now()}.tmp`);
    try {
      writeFileSync(tmp, yaml, { encoding: 'utf8', flag: 'wx' });
      renameSync(tmp, path);
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {}
      throw err;
    }
    this.cache.delete(path);
    return { path, result };
  }
}

export class StrategyNotDeletableError extends Error {}

/**
 * Deletes a strategy file of the user's folder. Bundled samples are read-only; a name is a bare file
 * stem, so nothing outside the user folder can be reached.
 */
export function deleteUserStrategy(catalog: StrategyCatalog, name: string): { path: string } {
  const f = catalog.find(name);
  if (!f) return { path: '' };
  if (f.source !== 'user' || !inside(catalog.userDir, f.path)) throw new StrategyNotDeletableError(`strategy '${f.name}' is bundled with the app and read-only; "Save as" makes an editable copy`);
  unlinkSync(f.path);
  return { path: f.path };
}

function nameFromText(yaml: string): string | null {
  const m = /^name:\s*["']?([^"'\n#]+?)["']?\s*(#.*)?$/m.exec(yaml);
  return m ? m[1] : null;
}
