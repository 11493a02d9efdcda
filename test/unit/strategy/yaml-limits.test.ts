import { describe, expect, it } from 'vitest';
import { readYaml, YAML_LIMITS } from '../../../src/core/strategy/yaml-source';
import { parseStrategy } from '../../../src/core/strategy';

// Issue #17 (1): user YAML is bounded in size, depth and aliases, and a document with syntax
// errors is never converted to JS (the conversion is what took seconds on 350 nested `{`).
describe('readYaml bounds', () => {
  it('refuses deeply nested flow collections before parsing (the 353-byte repro)', () => {
    for (const n of [350, 800, 5000]) {
      const r = readYaml('a: ' + '{'.repeat(n));
      expect(r.value).toBeNull();
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ severity: 'error', category: 'yaml', line: 1, column: 1 });
      expect(r.issues[0].message).toMatch(/nested deeper than 64/);
    }
  });

  it('refuses deep block nesting found after parsing', () => {
    const text = Array.from({ length: YAML_LIMITS.maxDepth + 5 }, (_, i) => ' '.repeat(i) + 'k:').join('\n');
    const r = readYaml(text);
    expect(r.value).toBeNull();
    expect(r.issues.map((i) => i.message).join()).toMatch(/nested deeper/);
  });

  it('refuses text over the size limit, naming the limit', () => {
    const r = readYaml('a: ' + 'x'.repeat(YAML_LIMITS.maxChars));
    expect(r.value).toBeNull();
    expect(r.issues[0].message).toContain(String(YAML_LIMITS.maxChars));
  });

  it('refuses alias bombs', () => {
    const bomb = 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
    const r = readYaml(bomb);
    expect(r.value).toBeNull();
    expect(r.issues.some((i) => i.severity === 'error')).toBe(true);
    const many = Array.from({ length: YAML_LIMITS.maxAliases + 1 }, (_, i) => `k${i}: *a`).join('\n');
    expect(readYaml(`x: &a 1\n${many}`).issues[0].message).toMatch(/aliases/);
  });

  it('does not convert a document with syntax errors and caps the issue list', () => {
    const r = readYaml('a: b: c\n'.repeat(500));
    expect(r.value).toBeNull();
    expect(r.issues.length).toBeLessThanOrEqual(YAML_LIMITS.maxIssues);
    expect(r.issues.length).toBeGreaterThan(0);
  });

  it('still reads ordinary YAML with a few aliases and moderate nesting', () => {
    const r = readYaml('base: &b {period: 14}\nrsi: *b\nlist: [[[[1]]]]\n');
    expect(r.issues).toEqual([]);
    expect(r.value).toEqual({ base: { period: 14 }, rsi: { period: 14 }, list: [[[[1]]]] });
  });

  it('parseStrategy reports the bound as an invalid strategy, not an exception', () => {
    const res = parseStrategy('a: ' + '['.repeat(400), {});
    expect(res.valid).toBe(false);
    expect(res.issues[0].message).toMatch(/nested deeper/);
  });
});
