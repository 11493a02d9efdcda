// Issue #16 "Done when": the SDK's own MCP client drives `ktrdr mcp` over stdio against a real
// server — lists tools, validates a broken then a fixed strategy, saves it, trains it, polls it to
// completion, backtests it, reads the significance block — and the guards refuse an operation over
// the session budget and a path outside KTRDR_HOME.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { importCsvText } from '../../../src/infra/bars/import';
import { http, REPO, sleep, startServer, type TestServer } from '../../helpers/server';

let s: TestServer;
let home = '';
const clients: Client[] = [];
const base = readFileSync(join(REPO, 'strategies', 'test_e2e_local_pull.yaml'), 'utf8');
const FIXED = base.replace('name: test_e2e_local_pull', 'name: agent_idea').replace('epochs: 15', 'epochs: 3');
const BROKEN = FIXED.replace('indicator: rsi_14', 'indicator: rsi_99');
const LONG = base.replace('name: test_e2e_local_pull', 'name: agent_long').replace('epochs: 15', 'epochs: 5000');

async function connect(extra: string[] = []): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO, 'src', 'cli', 'index.ts'), '--url', s.url, 'mcp', '--home', home, ...extra],
    cwd: REPO,
    env: { ...(process.env as Record<string, string>), LOG_LEVEL: 'warn' },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'ktrdr-test-agent', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** Calls a tool; returns the parsed JSON answer, or `{error}` for a tool error. */
async function call(c: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const r = (await c.callTool({ name, arguments: args })) as { isError?: boolean; content: { type: string; text: string }[] };
  const text = r.content[0]?.text ?? '';
  if (r.isError) return { error: text };
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function pollDone(c: Client, id: string, timeoutMs = 120_000): Promise<any> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const op = await call(c, 'get_operation', { operation_id: id });
    if (['completed', 'failed', 'cancelled'].includes(op.status)) return op;
    if (Date.now() > end) throw new Error(`${id} not finished within ${timeoutMs} ms: ${JSON.stringify(op)}`);
    await sleep(250);
  }
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ktrdr-mcp-it-'));
  const raw = readFileSync(join(REPO, 'data', 'samples', 'EURUSD_D1_dukascopy_2007-2023.csv.gz'));
  importCsvText(new BarStore(join(home, 'data')), gunzipSync(raw).toString('utf8'), { symbol: 'EURUSD', timeframe: '1d', mode: 'replace', source: 'sample' });
  mkdirSync(join(home, 'strategies'), { recursive: true });
  s = await startServer({ home, cleanup: true, env: { KTRDR_TF_BACKEND: 'wasm', LOG_LEVEL: 'warn' } });
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await s?.stop();
});

describe('ktrdr mcp over stdio: the research loop', () => {
  it('lists tools, validates, saves, trains, polls, backtests and reads significance', async () => {
    const c = await connect();
    const tools = (await c.listTools()).tools;
    const names = tools.map((t) => t.name);
    for (const n of ['list_data_series', 'show_data', 'data_gaps', 'list_indicators', 'validate_strategy', 'save_strategy', 'start_training', 'start_backtest', 'start_walk_forward', 'start_sweep', 'get_operation', 'get_metrics', 'cancel_operation', 'resume_operation', 'get_results', 'get_significance'])
      expect(names).toContain(n);
    // Inputs are the REST schemas as JSON Schema: the training tool requires strategy_name, takes symbols as a string array.
    const train = tools.find((t) => t.name === 'start_training')!;
    expect(train.inputSchema.required).toEqual(['strategy_name']);
    expect((train.inputSchema.properties as any).symbols.anyOf ?? (train.inputSchema.properties as any).symbols).toBeTruthy();
    // The experiment tools take the routes' own bodies: windows, the sweep's selection/holdout, and
    // the backtest section with the same cost overrides as a standalone backtest (issue 22.1, 22.7).
    const wf = tools.find((t) => t.name === 'start_walk_forward')!;
    expect(wf.inputSchema.required).toEqual(expect.arrayContaining(['strategy_name', 'start_date', 'end_date', 'train_window', 'test_window']));
    expect(Object.keys((wf.inputSchema.properties as any).backtest.properties)).toEqual(expect.arrayContaining(['costs', 'commission', 'slippage', 'initial_capital']));
    const sweepTool = tools.find((t) => t.name === 'start_sweep')!;
    expect(Object.keys(sweepTool.inputSchema.properties as any)).toEqual(expect.arrayContaining(['space', 'objective', 'selection', 'holdout']));
    const refused = await call(c, 'start_walk_forward', { strategy_name: 'x', start_date: '2017-01-01', end_date: '2017-06-01', train_window: '2M', test_window: '1M', backtest: { commission: 2 } });
    expect(refused.error).toMatch(/commission/);

    const series = await call(c, 'list_data_series');
    expect(series.some((x: any) => x.symbol === 'EURUSD' && x.timeframe === '1d')).toBe(true);
    const bars = await call(c, 'show_data', { symbol: 'EURUSD', timeframe: '1d', limit: 5 });
    expect(bars.bars).toHaveLength(5);

    const broken = await call(c, 'validate_strategy', { yaml: BROKEN });
    expect(broken.valid).toBe(false);
    expect(broken.errors.join('\n')).toMatch(/line \d+:\d+ .*rsi_99/);
    const fixed = await call(c, 'validate_strategy', { yaml: FIXED });
    expect(fixed).toMatchObject({ valid: true, errors: [] });

    expect((await call(c, 'save_strategy', { name: 'agent_idea', yaml: BROKEN })).saved).toBe(false); // invalid text is not saved
    const saved = await call(c, 'save_strategy', { name: 'agent_idea', yaml: FIXED });
    expect(saved).toMatchObject({ saved: true, name: 'agent_idea' });
    expect(saved.path).toBe(join(home, 'strategies', 'agent_idea.yaml'));
    expect((await call(c, 'save_strategy', { name: 'agent_idea', yaml: FIXED })).error).toMatch(/already exists/);
    expect((await call(c, 'save_strategy', { name: 'minimal', yaml: FIXED })).error).toMatch(/bundled strategy/);

    const started = await call(c, 'start_training', { strategy_name: 'agent_idea', symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2016-01-01', end_date: '2021-12-31' });
    expect(started.operation_id).toMatch(/^op_training_/);
    // A bounded wait with progress notifications (the client asks for them with onprogress).
    const progress: number[] = [];
    const waited = (await c.callTool({ name: 'wait_for_operation', arguments: { operation_id: started.operation_id, timeout_seconds: 60 } }, undefined, { onprogress: (p) => void progress.push(p.progress) })) as { content: { text: string }[] };
    expect(JSON.parse(waited.content[0].text)).toMatchObject({ status: 'completed', finished: true, percentage: 100 });
    expect(progress.length).toBeGreaterThan(0);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
    const done = await pollDone(c, started.operation_id);
    expect(done.status).toBe('completed');
    expect(done.started_by).toBe('mcp');
    const m = await call(c, 'get_metrics', { operation_id: started.operation_id, cursor: 0 });
    expect(m.metrics).toHaveLength(3);
    expect(m.new_cursor).toBe(3);
    expect(typeof m.trend.is_overfitting).toBe('boolean');
    expect((await call(c, 'get_metrics', { operation_id: started.operation_id, cursor: 3 })).metrics).toEqual([]);
    // What the UI reads: the operation is tagged in its metadata.
    expect((await http('GET', `${s.api}/operations/${started.operation_id}`)).body.data.metadata.started_by).toBe('mcp');

    const bt = await call(c, 'start_backtest', { strategy_name: 'agent_idea', symbol: 'EURUSD', timeframe: '1d', start_date: '2022-01-01', end_date: '2023-12-31' });
    expect(bt.operation_id).toMatch(/^op_backtesting_/);
    expect((await pollDone(c, bt.operation_id)).status).toBe('completed');
    const results = await call(c, 'get_results', { operation_id: bt.operation_id });
    // The contract form: a number, or null with its reason; `shown` says it as the app does.
    const sharpe = results.results.metrics.sharpe_ratio;
    if (sharpe === null) expect(results.results.metrics.null_reasons.sharpe_ratio).toBeTruthy();
    else expect(typeof sharpe).toBe('number');
    const shownSharpe = results.shown.find((x: { key: string; section: string }) => x.key === 'sharpe_ratio' && x.section === 'Performance');
    expect(shownSharpe).toMatchObject({ label: 'Sharpe ratio', unit: 'ratio', value: sharpe, text: sharpe === null ? '—' : sharpe.toFixed(2) });
    const sig = await call(c, 'get_significance', { operation_id: bt.operation_id });
    expect(typeof sig.verdict).toBe('string');
    if (sig.significance === null) expect(sig.null_reasons.significance).toBeTruthy();
    else expect(sig.significance).toBeTypeOf('object');

    const schema = await c.readResource({ uri: 'ktrdr://strategy-schema' });
    const sd = JSON.parse((schema.contents[0] as { text: string }).text);
    expect(sd.json_schema.type).toBe('object');
    expect(sd.json_schema.properties.indicators).toBeTruthy();
    const metrics = JSON.parse(((await c.readResource({ uri: 'ktrdr://metrics' })).contents[0] as { text: string }).text);
    expect(metrics.find((d: any) => d.key === 'sharpe_ratio').definition).toMatch(/√/);
    const prompts = (await c.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toEqual(expect.arrayContaining(['design_and_test_strategy', 'diagnose_overfit']));
    const p = await c.getPrompt({ name: 'diagnose_overfit', arguments: { operation_id: bt.operation_id } });
    expect((p.messages[0].content as { text: string }).text).toContain(bt.operation_id);
  }, 240_000);
});

describe('ktrdr mcp guards', () => {
  it('refuses an operation beyond the concurrent budget, and cancels only its own', async () => {
    const c = await connect(['--max-concurrent', '1']);
    expect((await call(c, 'save_strategy', { name: 'agent_long', yaml: LONG })).saved).toBe(true);
    const long = await call(c, 'start_training', { strategy_name: 'agent_long', symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2010-01-01', end_date: '2021-12-31' });
    expect(long.operation_id).toBeTruthy();
    const before = (await http('GET', `${s.api}/operations?limit=1000`)).body.total_count;
    const refused = await call(c, 'start_backtest', { strategy_name: 'agent_idea', symbol: 'EURUSD', timeframe: '1d', start_date: '2022-01-01', end_date: '2023-12-31' });
    expect(refused.error).toMatch(/budget allows 1 concurrent operation/);
    expect((await http('GET', `${s.api}/operations?limit=1000`)).body.total_count).toBe(before); // nothing was started
    const other = await http('POST', `${s.api}/dummy/start`, { duration_seconds: 30, iterations: 10 });
    expect((await call(c, 'cancel_operation', { operation_id: other.body.operation_id })).error).toMatch(/not started by this MCP session/);
    await http('DELETE', `${s.api}/operations/${other.body.operation_id}`);
    expect((await call(c, 'cancel_operation', { operation_id: long.operation_id })).status).toBe('cancelled');
    await pollDone(c, long.operation_id);
    // The slot is free again (admitting after it frees is covered in test/unit/mcp/guards.test.ts).
    expect(await call(c, 'session_budget')).toMatchObject({ max_concurrent: 1, active_operations: [], operations_started: [long.operation_id] });
  }, 120_000);

  it('resumes its own cancelled training from its checkpoint (and no one else’s)', async () => {
    const c = await connect(['--max-concurrent', '1']);
    const long = await call(c, 'start_training', { strategy_name: 'agent_long', symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2010-01-01', end_date: '2021-12-31', checkpoints: { every_epochs: 1 } });
    for (let i = 0; i < 400 && (await call(c, 'get_metrics', { operation_id: long.operation_id })).new_cursor < 2; i++) await sleep(100);
    await call(c, 'cancel_operation', { operation_id: long.operation_id });
    await pollDone(c, long.operation_id);
    let r = await call(c, 'resume_operation', { operation_id: long.operation_id });
    for (let i = 0; i < 100 && /still stopping/.test(r.error ?? ''); i++) {
      await sleep(200);
      r = await call(c, 'resume_operation', { operation_id: long.operation_id });
    }
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ operation_id: long.operation_id, resumed_from: { checkpoint_type: 'cancellation' } });
    expect(r.resumed_from.epoch).toBeGreaterThanOrEqual(2);
    expect(['pending', 'running']).toContain((await call(c, 'get_operation', { operation_id: long.operation_id })).status);
    expect((await call(c, 'session_budget')).active_operations).toEqual([long.operation_id]);
    const other = await http('POST', `${s.api}/dummy/start`, { duration_seconds: 0, iterations: 1 });
    expect((await call(c, 'resume_operation', { operation_id: other.body.operation_id })).error).toMatch(/not started by this MCP session/);
    await call(c, 'cancel_operation', { operation_id: long.operation_id });
    await pollDone(c, long.operation_id);
  }, 120_000);

  it('refuses new training once the training minutes are spent and cancels the one that overran', async () => {
    const c = await connect(['--max-training-minutes', '0.01']); // 0.6 s
    const long = await call(c, 'start_training', { strategy_name: 'agent_long', symbols: ['EURUSD'], timeframes: ['1d'], start_date: '2010-01-01', end_date: '2021-12-31' });
    expect(long.operation_id).toBeTruthy();
    await sleep(1500);
    const refused = await call(c, 'start_training', { strategy_name: 'agent_idea', symbols: ['EURUSD'], timeframes: ['1d'] });
    expect(refused.error).toMatch(/training minutes/);
    const end = await pollDone(c, long.operation_id, 30_000); // the budget timer cancels it (every 5 s)
    expect(end.status).toBe('cancelled');
    expect(end.error_message).toMatch(/training budget/);
  }, 60_000);

  it('refuses paths outside KTRDR_HOME and names that could leave a folder', async () => {
    const c = await connect();
    for (const path of ['/etc/passwd', '../outside.csv', join(home, '..', 'x.csv')]) {
      const r = await call(c, 'import_csv', { path, symbol: 'EURUSD', timeframe: '1h' });
      expect(r.error, path).toMatch(/outside KTRDR_HOME/);
    }
    // A file in the home's import folder is imported (the guard does not refuse everything; the server
    // itself reads server-side files only from KTRDR_HOME/imports and KTRDR_IMPORT_DIRS).
    mkdirSync(join(home, 'imports'), { recursive: true });
    writeFileSync(join(home, 'imports', 'tiny.csv'), 'date,open,high,low,close,volume\n2024-01-02,1.1,1.2,1.0,1.15,100\n2024-01-03,1.15,1.25,1.1,1.2,120\n');
    const ok = await call(c, 'import_csv', { path: 'imports/tiny.csv', symbol: 'TESTSYM', timeframe: '1d' });
    expect(ok.imported).toBe(2);
    expect((await call(c, 'get_strategy', { name: '../../etc/passwd' })).error).toBeTruthy();
    expect((await call(c, 'save_strategy', { name: '../escape', yaml: FIXED })).error).toBeTruthy();
    expect((await call(c, 'start_backtest', { strategy_name: 'agent_idea', start_date: '2022-01-01', end_date: '2023-12-31', model_path: '/etc/models/x' })).error).toMatch(/outside KTRDR_HOME/);
  }, 60_000);
});
