// Server side of "what a job needs travels with it": the files a job reads from KTRDR_HOME (bars of
// its symbols, the model version a backtest uses, the strategy file, a CSV to import) are uploaded
// as content-addressed blobs (a resumed training's checkpoint too), and the job's parameters are
// rewritten to paths relative to a home, so a worker on another machine rebuilds exactly that part
// of the home in a staging folder.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { normalizeSymbol, normalizeTimeframe } from '../../core/bars/symbols';
import { BarStore } from '../../infra/bars/bar-store';
import { resumeFromParam, type FileRef } from '../../shared/job-payload';
import type { JobSpec } from '../../shared/worker-protocol';
import { TEMP_MARKER } from '../../infra/bars/atomic';
import { ModelRegistry } from '../../infra/models/registry';

export interface LocalFile {
  /** Path relative to the home the job will see. */
  path: string;
  abs: string;
}

export interface JobInputs {
  files: LocalFile[];
  params: Record<string, unknown>;
}

function filesIn(dir: string, relDir: string): LocalFile[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const out: LocalFile[] = [];
  for (const name of readdirSync(dir)) {
    if (name.includes(TEMP_MARKER)) continue;
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) out.push(...filesIn(abs, `${relDir}/${name}`));
    else out.push({ path: `${relDir}/${name}`, abs });
  }
  return out;
}

/** Every stored timeframe of a symbol (a requested one may be resampled from a finer file). */
function barFiles(home: string, symbol: unknown): LocalFile[] {
  const s = typeof symbol === 'string' ? normalizeSymbol(symbol) : null;
  if (!s) return [];
  return filesIn(join(home, 'data', s), `data/${s}`);
}

/** The files a training reads for (symbol, timeframe): the stored one, or the finer one it is resampled from. */
function trainingBarFiles(home: string, symbols: string[], timeframes: string[]): LocalFile[] {
  const store = new BarStore(join(home, 'data'));
  const out = new Map<string, LocalFile>();
  for (const sym of symbols) {
    const s = normalizeSymbol(sym);
    if (!s) continue;
    for (const raw of timeframes) {
      const tf = normalizeTimeframe(raw);
      if (!tf) continue;
      const source = store.has(s, tf) ? tf : store.resampleSource(s, tf);
      if (!source) continue; // the job reports the missing bars itself
      const path = `data/${s}/${source}.bars`;
      out.set(path, { path, abs: join(home, path) });
    }
  }
  return [...out.values()].filter((f) => existsSync(f.abs));
}

/** Thrown when a file the job names is missing here: the operation fails with this message. */
export class JobInputError extends Error {}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : []);

/** The files and rewritten parameters of one job; throws when something it names cannot be found. */
export function collectJobInputs(spec: JobSpec): JobInputs {
  const home = spec.home;
  const params = { ...spec.params };
  const files: LocalFile[] = [];
  switch (spec.jobType) {
    case 'training': {
      // Only the timeframes it trains on (a strategy may add timeframes: the job reads those too).
      files.push(...trainingBarFiles(home, strings(params.symbols), strings(params.timeframes)));
      // A resumed training (POST …/resume) takes its checkpoint along; the job checks its sha256.
      if (params.resume_from !== undefined && params.resume_from !== null) {
        const from = resumeFromParam(params.resume_from);
        if (!from) throw new JobInputError('resume_from must be {path: a checkpoint file inside the home, sha256}');
        const abs = join(home, from.path);
        if (!existsSync(abs)) throw new JobInputError(`checkpoint ${from.path} to resume from is missing from ${home}`);
        files.push({ path: from.path, abs });
      }
      break;
    }
    case 'backtesting': {
      files.push(...barFiles(home, params.symbol));
      if (typeof params.model_path === 'string' && params.model_path) {
        const registry = ModelRegistry.forHome(home);
        let resolved;
        try {
          resolved = registry.resolve(params.model_path);
        } catch (err) {
          throw new JobInputError((err as Error).message);
        }
        const rel = relative(home, resolved.dir).split(sep).join('/');
        files.push(...filesIn(resolved.dir, rel));
        params.model_path = resolved.model_path;
      }
      if (typeof params.strategy_path === 'string' && existsSync(params.strategy_path)) {
        const rel = `strategies/${basename(params.strategy_path)}`;
        files.push({ path: rel, abs: params.strategy_path });
        params.strategy_path = rel;
      } else {
        delete params.strategy_path;
      }
      break;
    }
    case 'data_load':
      files.push(...barFiles(home, params.symbol));
      if (typeof params.path === 'string') {
        const rel = `imports/${basename(params.path)}`;
        files.push({ path: rel, abs: params.path });
        params.path = rel;
      }
      if (typeof params.dir === 'string') {
        files.push(...filesIn(params.dir, 'imports/dir'));
        params.dir = 'imports/dir';
      }
      break;
    default:
      break;
  }
  return { files, params };
}

export function readLocalFile(f: LocalFile): { ref: Omit<FileRef, 'sha256'>; bytes: Buffer } {
  const bytes = readFileSync(f.abs);
  return { ref: { path: f.path, size: bytes.length }, bytes };
}

/** Parameters that name files: relative (home) paths on the wire, absolute in the worker's staging home. */
export const PATH_PARAMS = ['strategy_path', 'path', 'dir'] as const;
