// The worker lowers its own priority; run in a child process, since a process cannot raise it back.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const MODULE = resolve(__dirname, '../../../src/worker/priority.ts');

function niceAfter(env: Record<string, string>): { before: number; result: number | null; after: number } {
  const script = `import('${MODULE}').then(async (m) => { const os = await import('node:os'); const before = os.getPriority(); const f = m.lowerOwnPriority ?? m.default.lowerOwnPriority; const result = f(process.env); console.log(JSON.stringify({ before, result, after: os.getPriority() })); });`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('worker priority', () => {
  it('lowers by 10 by default and by KTRDR_WORKER_NICE when given', () => {
    const d = niceAfter({ KTRDR_WORKER_NICE: '' });
    expect(d.after).toBe(Math.min(19, d.before + 10));
    expect(d.result).toBe(d.after);
    const seven = niceAfter({ KTRDR_WORKER_NICE: '7' });
    expect(seven.after).toBe(Math.min(19, seven.before + 7));
  });

  it('0 or an invalid value leaves the priority alone', () => {
    for (const v of ['0', 'abc', '25', '-3']) {
      const d = niceAfter({ KTRDR_WORKER_NICE: v });
      expect(d.after, v).toBe(d.before);
      expect(d.result, v).toBeNull();
    }
  });
});
