// Server side of "what a job produces comes back": the files a worker uploaded are fetched by
// content hash, verified (a mismatch refuses the whole result) and written into KTRDR_HOME. A model
// version folder whose number is already taken here (two workers both trained `v1`) is stored
// under the next free version, and the result's model_path follows it.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { FileRef } from '../../shared/job-payload';
import { writeFileAtomic } from '../../infra/bars/atomic';
import { ModelRegistry, versionDirName } from '../../infra/models/registry';
import type { Redis } from 'ioredis';
import { getVerifiedBlob, sha256Of } from './blobs';

/** Where a job may write in the server's home. */
const ALLOWED_ROOTS = ['models/', 'backtests/', 'data/'];
const MODEL_DIR_RE = /^models\/([^/]+)\/([^/]+)_v(\d+)\/(.+)$/;

export interface StoredArtefact {
  path: string;
  sha256: string;
  bytes: number;
}

export interface ImportedArtefacts {
  stored: StoredArtefact[];
  /** Old → new `models/<s>/<tf>_vN` when a version was renumbered. */
  renamed: Record<string, string>;
}

function inside(home: string, rel: string): string {
  const abs = resolve(home, rel);
  if (!abs.startsWith(resolve(home) + sep)) throw new Error(`Artefact path ${rel} leaves the home; refused`);
  return abs;
}

/** Where an import records the model versions it claimed, by operation id (see importArtefacts). */
const claimFile = (home: string, claimId: string) => join(home, 'scaleout', 'imports', `${claimId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);

function readClaims(home: string, claimId: string | undefined): Record<string, string> {
  if (!claimId) return {};
  try {
    return JSON.parse(readFileSync(claimFile(home, claimId), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** The operation's import is recorded as finished: its claims are no longer needed. */
export function forgetImport(home: string, claimId: string): void {
  rmSync(claimFile(home, claimId), { force: true });
}

/**
 * Fetches, verifies and stores every output; throws (storing nothing) on any mismatch. With
 * `claimId` (the operation id) the model version each folder gets is written down before it is
 * stored, so importing the same result again (the server was killed between storing and recording
 * it) finds its version already there instead of storing a second copy.
 */
export async function importArtefacts(redis: Redis, home: string, outputs: FileRef[], claimId?: string): Promise<ImportedArtefacts> {
  for (const o of outputs) {
    if (!ALLOWED_ROOTS.some((r) => o.path.startsWith(r))) throw new Error(`Artefact ${o.path} is outside ${ALLOWED_ROOTS.join(', ')}; refused`);
    inside(home, o.path);
  }
  // Everything is fetched and verified before anything is written.
  const blobs = new Map<string, Buffer>();
  for (const o of outputs) blobs.set(o.path, await getVerifiedBlob(redis, o));

  const stored: StoredArtefact[] = [];
  const renamed: Record<string, string> = {};
  const models = new Map<string, { strategy: string; timeframe: string; files: FileRef[] }>();
  for (const o of outputs) {
    const m = MODEL_DIR_RE.exec(o.path);
    if (m) {
      const key = `models/${m[1]}/${m[2]}_v${m[3]}`;
      const entry = models.get(key) ?? { strategy: m[1], timeframe: m[2], files: [] };
      entry.files.push(o);
      models.set(key, entry);
      continue;
    }
    const abs = inside(home, o.path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileAtomic(abs, blobs.get(o.path)!);
    stored.push({ path: o.path, sha256: o.sha256, bytes: o.size });
  }

  const registry = ModelRegistry.forHome(home);
  const claims = readClaims(home, claimId);
  for (const [key, { strategy, timeframe, files }] of models) {
    let claimed: string | undefined = claims[key];
    if (claimed && existsSync(inside(home, claimed))) {
      // Stored by an earlier import of this same result (same bytes; metadata.json differs only by
      // its version): report it, store nothing twice. Other bytes: the number went to another import.
      const same = files.every((f) => {
        const inner = f.path.slice(key.length + 1);
        const abs = inside(home, `${claimed}/${inner}`);
        return inner === 'metadata.json' ? existsSync(abs) : existsSync(abs) && sha256Of(readFileSync(abs)) === f.sha256;
      });
      if (same) {
        for (const f of files) {
          const inner = f.path.slice(key.length + 1);
          const bytes = readFileSync(inside(home, `${claimed}/${inner}`));
          stored.push({ path: `${claimed}/${inner}`, sha256: sha256Of(bytes), bytes: bytes.length });
        }
        if (claimed !== key) renamed[key] = claimed;
        continue;
      }
      claimed = undefined;
    }
    const claimedVersion = claimed ? Number(/_v(\d+)$/.exec(claimed)?.[1]) : NaN;
    // Synchronous from here to the rename: no other import can claim the same number meanwhile.
    const version = Number.isInteger(claimedVersion) ? claimedVersion : registry.nextVersion(strategy, timeframe);
    const target = `models/${strategy}/${versionDirName(timeframe, version)}`;
    if (claimId && claimed !== target) {
      claims[key] = target;
      const file = claimFile(home, claimId);
      mkdirSync(dirname(file), { recursive: true });
      writeFileAtomic(file, Buffer.from(JSON.stringify(claims)));
    }
    const tmp = inside(home, `models/${strategy}/.tmp-import-${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(tmp, { recursive: true });
    try {
      for (const f of files) {
        const inner = f.path.slice(key.length + 1);
        let bytes = blobs.get(f.path)!;
        if (inner === 'metadata.json') {
          const manifest = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
          if (manifest.version !== version) bytes = Buffer.from(JSON.stringify({ ...manifest, version }, null, 2));
        }
        const abs = join(tmp, inner);
        if (!abs.startsWith(tmp + sep)) throw new Error(`Artefact path ${f.path} leaves its model folder; refused`);
        mkdirSync(dirname(abs), { recursive: true });
        writeFileAtomic(abs, bytes);
        stored.push({ path: `${target}/${inner}`, sha256: sha256Of(bytes), bytes: bytes.length });
      }
      if (existsSync(inside(home, target))) throw new Error(`Model folder ${target} appeared during import`);
      renameSync(tmp, inside(home, target));
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    if (target !== key) renamed[key] = target;
  }
  return { stored, renamed };
}

/**
 * Rewrites `models/<s>/<tf>_vN` references after renumbering: whole values (model_path), paths below
 * the folder, and mentions inside text ("Saved models/s/1d_v1" in the last progress message), never
 * `_v1` inside `_v10`.
 */
export function applyRenames<T>(value: T, renamed: Record<string, string>): T {
  if (!Object.keys(renamed).length) return value;
  let text = JSON.stringify(value);
  for (const [from, to] of Object.entries(renamed)) {
    text = text.replace(new RegExp(`${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9])`, 'g'), to);
  }
  const out = JSON.parse(text) as Record<string, unknown>;
  const first = Object.values(renamed)[0];
  const v = /_v(\d+)$/.exec(first);
  if (v && out && typeof out === 'object' && 'model_version' in out) out.model_version = Number(v[1]);
  return out as T;
}
