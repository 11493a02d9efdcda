// Writes a trained model version atomically: everything goes into a temp folder inside
// models/<strategy>/, which is then renamed to <tf>_v<N> (N = next free). A failed or cancelled save
// removes the temp folder, so a partial model never appears as a version.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { FEATURES_FILE, MANIFEST_FILE, MANIFEST_FORMAT, STRATEGY_FILE, type ModelManifest, type NewModelManifest } from './manifest';
import { checkName, ModelRegistry, versionDirName } from './registry';
import { saveLayersModel } from './tfjs-files';

export const TEMP_PREFIX = '.tmp-';

export interface SaveModelRequest {
  model: tf.LayersModel;
  manifest: NewModelManifest;
  strategyYaml: string;
  /** features.json content (feature list and flags). */
  features: Record<string, unknown>;
  /** Checked just before the rename: true ⇒ the save is abandoned and leaves nothing behind. */
  shouldAbort?: () => boolean;
}

export interface SavedModel {
  dir: string;
  version: number;
  /** models/<strategy>/<tf>_v<N>, relative to KTRDR_HOME (KTRDR's model_path). */
  model_path: string;
  manifest: ModelManifest;
}

export class SaveAbortedError extends Error {}

export async function saveModelVersion(registry: ModelRegistry, req: SaveModelRequest): Promise<SavedModel> {
  const { strategy_name: strategy, timeframe } = req.manifest;
  checkName('strategy name', strategy);
  checkName('timeframe', timeframe);
  const parent = join(registry.modelsDir, strategy);
  mkdirSync(parent, { recursive: true });
  const temp = mkdtempSync(join(parent, `${TEMP_PREFIX}${timeframe}-`));
  try {
    await saveLayersModel(req.model, temp);
    writeFileSync(join(temp, STRATEGY_FILE), req.strategyYaml);
    writeFileSync(join(temp, FEATURES_FILE), JSON.stringify(req.features, null, 2));
    // The version is decided at the rename; the manifest is rewritten if another writer took N first.
    for (let attempt = 0; attempt < 20; attempt++) {
      if (req.shouldAbort?.()) throw new SaveAbortedError('Model save abandoned: the run was cancelled');
      const version = registry.nextVersion(strategy, timeframe);
      const manifest: ModelManifest = { format: MANIFEST_FORMAT, format_version: 1, ...req.manifest, version, created_at: new Date().toISOString() };
      writeFileSync(join(temp, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
      const name = versionDirName(timeframe, version);
      const dir = join(parent, name);
      if (existsSync(dir)) continue;
      try {
        // A folder that appeared meanwhile with content makes rename fail (ENOTEMPTY): try the next N.
        renameSync(temp, dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTEMPTY') continue;
        throw err;
      }
      return { dir, version, model_path: `models/${strategy}/${name}`, manifest };
    }
    throw new Error(`Could not claim a version folder for ${strategy}/${timeframe}`);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * Removes temp folders left by a process that died mid-save. Only folders untouched for
 * STALE_TEMP_MS: trainings of one strategy may run in parallel (experiment children), and a
 * starting one must not delete the folder another is saving into.
 */
export const STALE_TEMP_MS = 10 * 60_000;

export function sweepTempDirs(registry: ModelRegistry, strategy: string, now = Date.now()): void {
  checkName('strategy name', strategy);
  const parent = join(registry.modelsDir, strategy);
  try {
    for (const name of readdirSync(parent)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const path = join(parent, name);
      if (now - statSync(path).mtimeMs >= STALE_TEMP_MS) rmSync(path, { recursive: true, force: true });
    }
  } catch {
    // no folder yet (or it vanished meanwhile)
  }
}
