import { describe, expect, it } from 'vitest';
import { epochsSummary } from '../../../src/cli/commands/train';
import { statusLine } from '../../../src/cli/follow';

describe('CLI follow output', () => {
  it('never draws a status line as wide as the terminal (a wrapped line cannot be redrawn in place)', () => {
    const line = statusLine(42, 'Epoch 3/10 · Batch 40/120 · a very long step text that goes on and on', 40);
    expect(line.length).toBeLessThanOrEqual(39);
    expect(line.startsWith(' [########------------]  42.0% | Epo')).toBe(true);
    expect(statusLine(100, 'done', 80)).toContain('[####################] 100.0% | done');
  });

  it('says "early stopped" only when training ended before the maximum', () => {
    expect(epochsSummary({ epochs_trained: 30, early_stopped: true, best_epoch: 22 }, 30)).toBe('30 of 30, best epoch 22');
    expect(epochsSummary({ epochs_trained: 12, early_stopped: true, best_epoch: 7 }, 30)).toBe('12 of 30 (early stopped), best epoch 7');
    expect(epochsSummary({ epochs_trained: 30, early_stopped: false, best_epoch: 30 }, null)).toBe('30, best epoch 30');
  });
});
