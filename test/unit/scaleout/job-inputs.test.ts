// What a training job takes along to a worker: the bars it trains on and, when it is resumed, the
// checkpoint it continues from (the job checks its sha256 there); a checkpoint missing here fails the
// start, naming the file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectJobInputs, JobInputError } from '../../../src/main/scaleout/job-inputs';
import type { JobSpec } from '../../../src/shared/worker-protocol';

describe('collectJobInputs for a training', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ktrdr-inputs-'));
    mkdirSync(join(home, 'data', 'EURUSD'), { recursive: true });
    writeFileSync(join(home, 'data', 'EURUSD', '1d.bars'), 'bars');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const spec = (params: Record<string, unknown>): JobSpec => ({ operationId: 'op_training_x', jobType: 'training', home, logLevel: 'info', params: { symbols: ['EURUSD'], timeframes: ['1d'], ...params } });

  it('a resumed training carries its checkpoint file; resume_from stays as given (home-relative)', () => {
    const path = 'checkpoints/op_training_x/e000004-b000000.ckpt';
    mkdirSync(join(home, 'checkpoints', 'op_training_x'), { recursive: true });
    writeFileSync(join(home, path), 'checkpoint');
    const resume_from = { path, sha256: 'a'.repeat(64) };
    const { files, params } = collectJobInputs(spec({ resume_from }));
    expect(files.map((f) => f.path)).toEqual(['data/EURUSD/1d.bars', path]);
    expect(files[1].abs).toBe(join(home, path));
    expect(params.resume_from).toEqual(resume_from);
    expect(collectJobInputs(spec({})).files.map((f) => f.path)).toEqual(['data/EURUSD/1d.bars']);
  });

  it('a checkpoint that is missing, or a resume_from outside the home, fails the start naming it', () => {
    expect(() => collectJobInputs(spec({ resume_from: { path: 'checkpoints/op_training_x/e000009-b000000.ckpt' } }))).toThrow(JobInputError);
    expect(() => collectJobInputs(spec({ resume_from: { path: 'checkpoints/op_training_x/e000009-b000000.ckpt' } }))).toThrow(/checkpoint checkpoints\/op_training_x\/e000009-b000000\.ckpt to resume from is missing/);
    expect(() => collectJobInputs(spec({ resume_from: { path: '../../etc/passwd' } }))).toThrow(/resume_from must be/);
  });
});
