import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, http, waitFor } from '../../helpers/server';

/** neuro_mean_reversion on 1h bars with 2 epochs: fast enough for a test that trains many times. */
export function writeFastStrategy(home: string, name = 'nmr_fast', epochs = 2): string {
  const text = readFileSync(join(REPO, 'strategies', 'neuro_mean_reversion.yaml'), 'utf8')
    .replace(/timeframe: 1d/, 'timeframe: 1h')
    .replace(/epochs: \d+/, `epochs: ${epochs}`)
    .replace(/zigzag_threshold: [0-9.]+/, 'zigzag_threshold: 0.002')
    // A 2-epoch model is rarely 60 % sure: a lower bar makes it trade, so returns are not all zero.
    .replace(/confidence_threshold: [0-9.]+/, 'confidence_threshold: 0.34');
  mkdirSync(join(home, 'strategies'), { recursive: true });
  writeFileSync(join(home, 'strategies', `${name}.yaml`), text);
  return name;
}

export async function waitForStatus(api: string, id: string, statuses: string[], timeoutMs = 170_000): Promise<any> {
  return waitFor(async () => {
    const op = (await http('GET', `${api}/operations/${id}`)).body.data;
    return statuses.includes(op?.status) ? op : null;
  }, timeoutMs, 300);
}

export async function children(api: string, id: string): Promise<any[]> {
  return (await http('GET', `${api}/operations/${id}/children`)).body.data;
}
