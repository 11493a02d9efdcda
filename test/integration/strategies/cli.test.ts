// The `ktrdr strategies` / `ktrdr indicators` commands against a real server: output and exit codes.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { loadConfig } from '../../../src/main/config';

const REPO = join(__dirname, '../../..');
let home: string;
let app: App;
let base: string;

function ktrdr(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'bin/ktrdr.js'), ...args], { env: { ...process.env, KTRDR_DEV: '1', KTRDR_API_URL: base }, cwd: home }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ktrdr-strategies-cli-'));
  writeFileSync(
    join(home, 'bad.yaml'),
    'name: bad\ntraining_data:\n  symbols: {mode: single, symbol: X}\n  timeframes: {mode: single, timeframe: 1h}\nindicators:\n  rsi_14: {type: rsi, period: 0}\nfuzzy_sets:\n  f:\n    indicator: rsi_14\n    low: [0, 20, 30]\nnn_inputs:\n  - fuzzy_set: f\n',
  );
  app = await createApp({ config: loadConfig({ ...process.env, KTRDR_HOME: home, KTRDR_API_PORT: '0', LOG_LEVEL: 'warn' }) });
  base = await app.listen();
});

afterAll(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('ktrdr strategies', () => {
  it('validate ./file prints every issue as file:line:column and exits 1 when invalid', async () => {
    const r = await ktrdr('strategies', 'validate', './bad.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('./bad.yaml:6:31 error indicators.rsi_14.period: must be ≥ 2 (got 0)');
    expect(r.stdout).toMatch(/✗ Strategy 'bad' has 1 error/);
  });

  it('validate NAME exits 0 for a valid bundled strategy; --json carries the issues', async () => {
    const ok = await ktrdr('strategies', 'validate', 'multi_timeframe');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("✓ Strategy 'multi_timeframe' is valid; 13 features");
    const json = await ktrdr('strategies', 'validate', join(REPO, 'strategies/test_e2e.yaml'), '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, issues: expect.arrayContaining([expect.objectContaining({ category: 'migration' })]) });
  });

  it('list and features', async () => {
    const list = await ktrdr('strategies', 'list', '--json');
    expect(JSON.parse(list.stdout).strategies.map((s: any) => s.name)).toContain('neuro_mean_reversion');
    const f = await ktrdr('strategies', 'features', 'minimal');
    expect(f.stdout).toContain('1h_rsi_momentum_overbought');
    expect(f.stdout).toContain('2 features');
  });
});

describe('ktrdr indicators', () => {
  it('list --json and a parameter error from calc', async () => {
    const list = await ktrdr('indicators', 'list', '--json');
    expect(JSON.parse(list.stdout).data.some((d: any) => d.id === 'macd')).toBe(true);
    const bad = await ktrdr('indicators', 'calc', 'EURUSD', '1h', '-i', 'rsi:period=0');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('indicators.0.parameters.period');
  });
});
