// Trained models on disk: models/<strategy>/<timeframe>_v<N>/ under KTRDR_HOME. Lists them, resolves a
// reference (KTRDR's model_path forms included) to a version folder, and never lets a reference leave
// the models directory.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { NAME_RE } from '../../shared/api-schemas';
import { MANIFEST_FILE, type ModelManifest } from './manifest';

/** Defined in shared so the REST schemas and the MCP tools use the same rule. */
export { NAME_RE };
const TIMEFRAME_RE = /^[0-9]+[A-Za-z]+$/;
const VERSION_DIR_RE = /^([0-9]+[A-Za-z]+)_v([0-9]+)$/;

export class ModelPathError extends Error {}

/** A reference names a model that does not exist; `available` lists what does (e.g. 1d_v1, 1d_v2). */
export class ModelNotFoundError extends Error {
  constructor(
    message: string,
    readonly available: string[],
  ) {
    super(message);
  }
}

export interface ModelEntry {
  strategy_name: string;
  timeframe: string;
  version: number;
  /** Relative to KTRDR_HOME, KTRDR style: models/<strategy>/<tf>_v<N>. */
  model_path: string;
  /** Absolute folder. */
  dir: string;
  created_at: string | null;
  symbols: string[];
  training_metrics: Record<string, unknown> | null;
  test_metrics: Record<string, unknown> | null;
}

export interface ResolvedModel {
  dir: string;
  strategy_name: string;
  timeframe: string;
  version: number;
  model_path: string;
}

export function versionDirName(timeframe: string, version: number): string {
  return `${timeframe}_v${version}`;
}

export function checkName(kind: string, value: string): void {
  if (!NAME_RE.test(value)) throw new ModelPathError(`Invalid ${kind} '${value}': use letters, digits, '_' and '-'`);
}

export class ModelRegistry {
  readonly modelsDir: string;

  constructor(modelsDir: string) {
    this.modelsDir = resolve(modelsDir);
  }

  static forHome(home: string): ModelRegistry {
    return new ModelRegistry(join(home, 'models'));
  }

  /** Versions of one strategy/timeframe, ascending. */
  versions(strategy: string, timeframe: string): number[] {
    checkName('strategy name', strategy);
    const dir = join(this.modelsDir, strategy);
    if (!existsSync(dir)) return [];
    const out: number[] = [];
    for (const name of readdirSync(dir)) {
      const m = VERSION_DIR_RE.exec(name);
      if (m && m[1] === timeframe && statSync(join(dir, name)).isDirectory()) out.push(Number(m[2]));
    }
    return out.sort((a, b) => a - b);
  }

  /** Every version folder of a strategy, e.g. ['1d_v1', '1d_v2', '1h_v1']. */
  private versionDirs(strategy: string): string[] {
    const dir = join(this.modelsDir, strategy);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((n) => VERSION_DIR_RE.test(n) && statSync(join(dir, n)).isDirectory())
      .sort((a, b) => {
        const ma = VERSION_DIR_RE.exec(a)!;
        const mb = VERSION_DIR_RE.exec(b)!;
        return ma[1] === mb[1] ? Number(ma[2]) - Number(mb[2]) : ma[1] < mb[1] ? -1 : 1;
      });
  }

  nextVersion(strategy: string, timeframe: string): number {
    const v = this.versions(strategy, timeframe);
    return v.length ? v[v.length - 1] + 1 : 1;
  }

  /** All trained models, newest first. */
  list(filter: { strategy?: string; timeframe?: string } = {}): ModelEntry[] {
    if (!existsSync(this.modelsDir)) return [];
    const out: ModelEntry[] = [];
    for (const strategy of readdirSync(this.modelsDir)) {
      if (!NAME_RE.test(strategy) || (filter.strategy && filter.strategy !== strategy)) continue;
      if (!statSync(join(this.modelsDir, strategy)).isDirectory()) continue;
      for (const name of this.versionDirs(strategy)) {
        const m = VERSION_DIR_RE.exec(name)!;
        if (filter.timeframe && filter.timeframe !== m[1]) continue;
        const dir = join(this.modelsDir, strategy, name);
        const manifest = readManifestIfAny(dir);
        out.push({
          strategy_name: strategy,
          timeframe: m[1],
          version: Number(m[2]),
          model_path: `models/${strategy}/${name}`,
          dir,
          created_at: manifest?.created_at ?? statSync(dir).mtime.toISOString(),
          symbols: manifest?.symbols ?? [],
          training_metrics: manifest?.training_metrics ?? null,
          test_metrics: manifest?.test_metrics ?? null,
        });
      }
    }
    return out.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)) || b.version - a.version);
  }

  /**
   * Resolves `models/<s>/<tf>_v<N>`, `<s>/<tf>_v<N>`, `<s>/<tf>_latest`, an absolute path inside the
   * models directory, or any of these followed by a file name inside the folder (KTRDR's `.../model.pt`).
   */
  resolve(ref: string): ResolvedModel {
    const raw = ref.trim().replace(/\\/g, '/');
    if (!raw) throw new ModelPathError('Empty model path');
    let rel: string;
    if (isAbsolute(raw)) {
      rel = relative(this.modelsDir, resolve(raw)).split(sep).join('/');
    } else {
      rel = raw.replace(/^\.\//, '').replace(/^models\//, '');
    }
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
    if (rel.startsWith('..') || parts.includes('..') || isAbsolute(rel)) throw new ModelPathError(`Model path '${ref}' is outside the models directory`);
    if (parts.length < 2) throw new ModelPathError(`Model path '${ref}' must name <strategy>/<timeframe>_v<N> (or <timeframe>_latest)`);
    const [strategy, versionPart] = parts;
    checkName('strategy name', strategy);
    const latest = /^([0-9]+[A-Za-z]+)_latest$/.exec(versionPart);
    const exact = VERSION_DIR_RE.exec(versionPart);
    if (!latest && !exact) throw new ModelPathError(`'${versionPart}' is not a model version: expected <timeframe>_v<N> or <timeframe>_latest`);
    const timeframe = (latest ?? exact)![1];
    if (!TIMEFRAME_RE.test(timeframe)) throw new ModelPathError(`Invalid timeframe '${timeframe}'`);
    const available = this.versionDirs(strategy);
    let version: number;
    if (latest) {
      const v = this.versions(strategy, timeframe);
      if (!v.length) throw notFound(strategy, `${timeframe}_latest`, available);
      version = v[v.length - 1];
    } else {
      version = Number(exact![2]);
    }
    const name = versionDirName(timeframe, version);
    const dir = join(this.modelsDir, strategy, name);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw notFound(strategy, versionPart, available);
    return { dir, strategy_name: strategy, timeframe, version, model_path: `models/${strategy}/${name}` };
  }
}

function notFound(strategy: string, wanted: string, available: string[]): ModelNotFoundError {
  const msg = available.length
    ? `Model ${strategy}/${wanted} not found; available versions: ${available.join(', ')}`
    : `No trained models for strategy '${strategy}' (asked for ${wanted}); train it first`;
  return new ModelNotFoundError(msg, available);
}

export function readManifestIfAny(dir: string): ModelManifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as ModelManifest;
  } catch {
    return null;
  }
}
