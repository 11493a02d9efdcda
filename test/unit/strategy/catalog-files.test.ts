import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStrategyName, findBundledStrategiesDir, InvalidStrategyNameError, StrategyCatalog, StrategyValidationFailedError } from '../../../src/infra/strategies';

const REPO = join(__dirname, '../../..');
const minimal = readFileSync(join(REPO, 'strategies/minimal.yaml'), 'utf8');

describe('StrategyCatalog (user folder first, then bundled samples)', () => {
  let home: string;
  let cat: StrategyCatalog;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ktrdr-strat-'));
    cat = new StrategyCatalog({ userDir: join(home, 'strategies') });
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('finds the bundled folder by walking up from the sources and from a built bundle folder', () => {
    expect(findBundledStrategiesDir()).toBe(join(REPO, 'strategies'));
    expect(findBundledStrategiesDir(join(REPO, 'out/main'))).toBe(join(REPO, 'strategies'));
    expect(cat.bundledDir).toBe(join(REPO, 'strategies'));
  });

  it('lists bundled strategies with validity, symbols and timeframes', () => {
    const list = cat.list();
    const mtf = list.find((s) => s.name === 'multi_timeframe')!;
    expect(mtf).toMatchObject({ valid: true, source: 'bundled', timeframes: ['1h', '4h', '1d'], symbols: ['EURUSD'], error_count: 0 });
    expect(list.map((s) => s.name)).toContain('test_e2e_local_pull');
    expect(list.find((s) => s.name === 'test_e2e')).toMatchObject({ valid: true, strategy_name: 'E2E Test Strategy' });
  });

  it('a user file shadows the bundled one; an invalid user file is listed as invalid', () => {
    mkdirSync(join(home, 'strategies'));
    writeFileSync(join(home, 'strategies/minimal.yaml'), minimal.replace('description: Minimal v3 strategy for quick testing', 'description: mine'));
    writeFileSync(join(home, 'strategies/broken.yaml'), 'name: broken\nindicators: {}\n');
    const list = cat.list();
    expect(list.filter((s) => s.name === 'minimal')).toHaveLength(1);
    expect(list.find((s) => s.name === 'minimal')).toMatchObject({ source: 'user', description: 'mine' });
    expect(list.find((s) => s.name === 'broken')).toMatchObject({ valid: false, source: 'user' });
    expect(cat.load('minimal')!.source).toBe('user');
  });

  it('loads by name with or without the .yaml suffix; unknown names give null', () => {
    const s = cat.load('neuro_mean_reversion.yaml')!;
    expect(s.result.valid).toBe(true);
    expect(s.yaml).toContain('name: neuro_mean_reversion');
    expect(cat.load('does_not_exist')).toBeNull();
  });

  it.each(['../etc/passwd', '..', '../strategies/minimal', 'a/b', '/etc/passwd', 'x\\..\\y', '.hidden', '', 'a b'])('refuses the name %j', (name) => {
    expect(() => cat.find(name)).toThrow(InvalidStrategyNameError);
    expect(() => cat.save(name, minimal)).toThrow(InvalidStrategyNameError);
  });

  it('saves only valid strategies, atomically, into the user folder', () => {
    const { path, result } = cat.save('my_strategy', minimal);
    expect(path).toBe(join(home, 'strategies/my_strategy.yaml'));
    expect(result.valid).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(minimal);
    expect(readdirSync(join(home, 'strategies'))).toEqual(['my_strategy.yaml']); // no temp file left
    expect(() => cat.save('my_strategy', minimal)).toThrow(/already exists/);
    cat.save('my_strategy', minimal.replace('period: 14', 'period: 21'), { overwrite: true });
    expect(cat.load('my_strategy')!.result.strategy!.indicators.rsi_14.params.period).toBe(21);
    try {
      cat.save('bad', minimal.replace('period: 14', 'period: 0'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StrategyValidationFailedError);
      expect((err as StrategyValidationFailedError).result.issues[0].path).toBe('indicators.rsi_14.period');
    }
    expect(readdirSync(join(home, 'strategies'))).toEqual(['my_strategy.yaml']);
  });

  it('checkStrategyName strips the extension and keeps dots/dashes', () => {
    expect(checkStrategyName('a-b.c_d.yml')).toBe('a-b.c_d');
  });
});
