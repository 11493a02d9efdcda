// Trained models on disk: models/<strategy>/<timeframe>_v<N>/ under KTRDR_HOME. Lists them, resolves a
// reference (KTRDR's model_path forms included) to a version folder, and never lets a reference leave
// the models directory.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  /** What the run was: settings, data range and hashes that tell identical re-runs apart. */
  timeframes: string[];
  strategy_hash: string | null;
  data_hash: string | null;
  seed: number | null;
  data_range: { start_date: string | null; end_date: string | null; first_row_time: string | null; last_row_time: string | null } | null;
  samples: Record<string, unknown> | null;
  settings: Record<string, unknown> | null;
  model_summary: Record<string, unknown> | null;
  notes: string;
  /** The earliest other version trained from the same strategy text, data and seed (same result expected). */
  same_as: string | null;
}

export const NOTES_FILE = 'notes.json';

/** Identical runs: same strategy text, same bars, same seed. */
export function runKey(e: Pick<ModelEntry, 'strategy_hash' | 'data_hash' | 'seed'>): string | null {
  return e.strategy_hash && e.data_hash && e.seed !== null ? `${e.strategy_hash}|${e.data_hash}|${e.seed}` : null;
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
          timeframes: manifest?.timeframes ?? [m[1]],
          strategy_hash: manifest?.strategy_hash ?? null,
          data_hash: manifest?.data?.content_hash ?? null,
          seed: typeof manifest?.seed === 'number' ? manifest.seed : null,
          data_range: manifest?.data
            ? {
                start_date: manifest.data.start_date ?? null,
                end_date: manifest.data.end_date ?? null,
                first_row_time: (manifest.data.first_row_time as string | undefined) ?? null,
                last_row_time: (manifest.data.last_row_time as string | undefined) ?? null,
              }
            : null,
          samples: (manifest?.data?.samples as Record<string, unknown> | undefined) ?? null,
          settings: manifest ? { ...manifest.training, labels: manifest.labels, seed: manifest.seed } : null,
          model_summary: manifest?.model ? { type: manifest.model.type, architecture: manifest.model.architecture, parameters_count: manifest.model.parameters_count, features: manifest.features?.length ?? null } : null,
          notes: readNotes(dir),
          same_as: null,
        });
      }
    }
    // Mark re-runs: the first (oldest) version with a run key is the original of later ones.
    const firstByKey = new Map<string, ModelEntry>();
    for (const e of [...out].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)) || a.version - b.version)) {
      const key = runKey(e);
      if (!key) continue;
      const first = firstByKey.get(key);
      if (first) e.same_as = `${first.strategy_name}/${versionDirName(first.timeframe, first.version)}`;
      else firstByKey.set(key, e);
    }
    return out.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)) || b.version - a.version);
  }

  /** Saves free-text notes next to the model (notes.json), atomically. */
  setNotes(ref: string, notes: string): ResolvedModel {
    const r = this.resolve(ref);
    const tmp = join(r.dir, `.${NOTES_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify({ notes, updated_at: new Date().toISOString() }, null, 2));
    renameSync(tmp, join(r.dir, NOTES_FILE));
    return r;
  }

  /** Removes a model version folder (resolve() keeps the reference inside the models directory). */
  remove(ref: string): ResolvedModel {
    if (/_latest(\/|$)/.test(ref)) throw new ModelPathError('Delete needs an exact version (<timeframe>_v<N>), not _latest');
    const r = this.resolve(ref);
    rmSync(r.dir, { recursive: true, force: true });
    return r;
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

function readNotes(dir: string): string {
  try {
    const n = (JSON.parse(readFileSync(join(dir, NOTES_FILE), 'utf8')) as { notes?: unknown }).notes;
    return typeof n === 'string' ? n : '';
  } catch {
    return '';
  }
}

export function readManifestIfAny(dir: string): ModelManifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as ModelManifest;
  } catch {
    return null;
  }
}
