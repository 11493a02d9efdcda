// `ktrdr experiment sweep … --follow` and `ktrdr experiment show` against a real server.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseParamFlag } from '../../../src/cli/commands/experiment';
import { REPO, startServer, type TestServer } from '../../helpers/server';
import { writeFastStrategy } from './helpers';

let server: TestServer;
function ktrdr(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'bin/ktrdr.js'), ...args], { env: { ...process.env, KTRDR_DEV: '1', KTRDR_API_URL: server.url } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('ktrdr experiment', () => {
  beforeAll(async () => {
    server = await startServer();
    writeFastStrategy(server.home, 'nmr_cli', 1);
  });
  afterAll(async () => server?.stop());

  it('parses --param specs', () => {
    expect(parseParamFlag('indicators.rsi_14.period=7:28:7')).toEqual(['indicators.rsi_14.period', { min: 7, max: 28, step: 7 }]);
    expect(parseParamFlag('training.learning_rate=0.0005:0.02:log')).toEqual(['training.learning_rate', { min: 0.0005, max: 0.02, log: true }]);
    expect(parseParamFlag('model.architecture.hidden_layers=[[32],[64,32]]')).toEqual(['model.architecture.hidden_layers', { values: [[32], [64, 32]] }]);
    expect(parseParamFlag('decisions.mode=a,b')).toEqual(['decisions.mode', { values: ['a', 'b'] }]);
    expect(() => parseParamFlag('nothing')).toThrow(/PATH=SPEC/);
  });

  it('sweep --follow prints a line per child status change (plain lines into a pipe), then the results; show prints them again; a bad path exits 1 naming it', async () => {
    const r = await ktrdr('experiment', 'sweep', 'nmr_cli', '--start', '2017-01-01', '--end', '2017-03-31', '--param', 'indicators.rsi_14.period=7,14', '--sampler', 'grid', '--trials', '2', '--objective', 'oos_return', '--follow');
    expect(r.code, r.stderr).toBe(0);
    // Following is the same for every command (src/cli/follow.ts): the start line and the progress on
    // stderr, never a redraw when it is not a terminal (issue 27: 5,155 redraw lines for one sweep).
    // eslint-disable-next-line no-control-regex -- the point is to find control characters
    expect(r.stderr).not.toMatch(/\x1b\[|\r/);
    expect(r.stderr).toMatch(/\((op_sweep_\S+)\)/);
    expect(r.stderr).toMatch(/^ {2}trial 2 backtesting completed \(op_backtesting_\S+\)$/m);
    expect(r.stderr.split('\n').length).toBeLessThan(80);
    expect(r.stdout).toMatch(/chosen: trial \d/);
    const id = /\((op_sweep_\S+)\)/.exec(r.stderr)![1];
    const shown = await ktrdr('experiment', 'show', id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/objective oos_return/);
    expect(shown.stdout).toMatch(/windows: train 2017-01-\d\d[ \d:]* → .* · selection .* · final holdout .*\(\d+ bars\)/);
    // The numbers are the shared presenter's tables (the app and the MCP server show the same rows).
    expect(shown.stdout).toMatch(/Final holdout: trial \d, evaluated once\nMETRIC\s+VALUE\n-+\s+-+\nTotal return %\s+-?[\d.]+%/);
    // DSR in its catalogue unit (a probability, shown in percent) or "—" with the reason; PBO's reason.
    expect(shown.stdout).toMatch(/Is the choice luck\?\n[^]*Deflated Sharpe ratio\s+(-?[\d.]+%|— \(.+\))/);
    expect(shown.stdout).toMatch(/Probability of overfitting\s+— \(PBO needs at least 8 trials/);
    expect(shown.stdout).toMatch(/Trials \(selection window\)\nTRIAL\s+Status\s+Validation accuracy/);
    expect(shown.stdout).toMatch(/Deflated Sharpe ratio: Probability that the true Sharpe/);
    // No raw floats: every number went through the catalogue (no 17-digit fractions, no e-notation).
    expect(shown.stdout).not.toMatch(/\d\.\d{6,}|\de[+-]\d/);

    // The cost flags are `ktrdr backtest`'s: they become the request's backtest section.
    const wf = await ktrdr('experiment', 'walk-forward', 'nmr_cli', '--start', '2017-01-01', '--end', '2017-04-30', '--train', '2M', '--test', '1M', '--spread-pips', '2', '--capital', '50000', '--json');
    expect(wf.code).toBe(0);
    const wfId = JSON.parse(wf.stdout).operation_id as string;
    const op = (await fetch(`${server.api}/operations/${wfId}`).then((x) => x.json())) as { data: { metadata: { parameters: { backtest: Record<string, unknown> } } } };
    expect(op.data.metadata.parameters.backtest).toMatchObject({ costs: { spread_pips: 2 }, initial_capital: 50_000 });
    await fetch(`${server.api}/operations/${wfId}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: '{}' });

    const bad = await ktrdr('experiment', 'sweep', 'nmr_cli', '--start', '2017-01-01', '--end', '2017-03-31', '--param', 'indicators.nope.period=1,2');
    expect(bad.code).toBe(1);
    // The space path is named as the flag that set it, not as the API field `space.…`.
    expect(bad.stderr).toMatch(/--param indicators\.nope\.period/);
  });
});
