// The MCP server behind `ktrdr mcp`: the research loop (data → strategy → train → backtest → judge)
// as tools for LLM agents. A REST client like the rest of the CLI: every call goes to a running
// workstation (desktop app, `ktrdr serve`, scale-out) with X-KTRDR-Client: mcp, so the operations it
// starts are tagged metadata.started_by = "mcp". Tool inputs are the REST routes' own zod schemas.
// Long jobs answer an operation id at once; the agent polls get_operation / get_metrics.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  backtestStartBody,
  CLIENT_HEADER,
  metricsQuery,
  NAME_RE,
  operationIdParams,
  operationsListQuery,
  strategySaveBody,
  strategyValidateBody,
  trainingStartBody,
} from '../../shared/api-schemas';
import { sweepStartBody, walkForwardStartBody } from '../../shared/experiment-requests';
import { operationEnvelopeSchema, operationListSchema, operationPath, operationResultsResponseSchema, readOperationResult, resultsPath } from '../../shared/results';
import { flattenSections, presentResult } from '../../shared/results/present';
import { significanceVerdict } from '../../shared/significance';
import { portfolioStartBody } from '../../shared/portfolio';
import { APP_VERSION } from '../../shared/version';
import { ApiError, ConnectionError, KtrdrHttpClient } from '../http';
import { checkName, checkPathInHome, EXPERIMENT_TYPES, GuardError, SessionBudget, type BudgetLimits, type OperationState } from './guards';
import { metricDefinitions } from './metric-definitions';

export interface McpOptions extends BudgetLimits {
  /** Server root, e.g. http://127.0.0.1:8000. */
  url: string;
  /** KTRDR_HOME of that server: the only folder path arguments may name. */
  home: string;
  /** How often running training is checked against the minutes budget (ms). */
  enforceEveryMs?: number;
}

/** The experiment routes' own bodies (cost overrides in `backtest.costs`, as POST /backtests/start's `costs`). */
const strategyName = z.string().regex(NAME_RE, 'letters, digits, _ and - only').max(100).describe('Strategy to train and test');
const walkForwardTool = walkForwardStartBody.extend({ strategy_name: strategyName });
const sweepTool = sweepStartBody.extend({ strategy_name: strategyName });

/** What the SDK hands a tool besides its arguments (the parts used here). */
interface ToolExtra {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number };
  sendNotification: (n: { method: 'notifications/progress'; params: { progressToken: string | number; progress: number; total?: number; message?: string } }) => Promise<void>;
}

const text = (value: unknown): CallToolResult => ({ content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }] });
const failure = (message: string): CallToolResult => ({ isError: true, content: [{ type: 'text', text: message }] });

interface IssueDto {
  severity: string;
  message: string;
  details: { line?: number; column?: number; path?: string; suggestion?: string } | null;
}
const issueLine = (i: IssueDto) => {
  const d = i.details ?? {};
  return `${d.line ? `line ${d.line}:${d.column ?? 1} ` : ''}${d.path ? `${d.path}: ` : ''}${i.message}${d.suggestion ? ` (${d.suggestion})` : ''}`;
};

function query(params: Record<string, unknown>): string {
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return q.length ? `?${q.join('&')}` : '';
}
const seg = encodeURIComponent;

export interface KtrdrMcp {
  server: McpServer;
  budget: SessionBudget;
  /** Stops the budget timer (the transport is closed by its owner). */
  dispose(): void;
}

export function createKtrdrMcpServer(opts: McpOptions): KtrdrMcp {
  const api = new KtrdrHttpClient(opts.url, { [CLIENT_HEADER]: 'mcp' });
  const budget = new SessionBudget(
    opts,
    async (id) => (await api.get<{ data: OperationState }>(`/operations/${seg(id)}`)).data,
    Date.now,
    async (id) => (await api.get<{ data: OperationState[] }>(`/operations/${seg(id)}/children`)).data,
  );
  const server = new McpServer(
    { name: 'ktrdr', title: 'KTRDR Workstation', version: APP_VERSION },
    {
      instructions:
        'Research neuro-fuzzy trading strategies on a KTRDR workstation. Loop: list_data_series → list_indicators → write YAML (read resource ktrdr://strategy-schema) → validate_strategy → save_strategy (a new name) → start_training → poll get_operation/get_metrics → start_backtest → get_results and get_significance. Long jobs return an operation_id at once; poll, do not wait. Budget: session_budget.',
    },
  );

  /** Every tool: guard and REST errors become tool errors the agent can read, never exceptions. */
  const tool = <S extends z.ZodObject>(name: string, description: string, schema: S, fn: (args: z.output<S>, extra: ToolExtra) => Promise<unknown>) =>
    server.registerTool(name, { description, inputSchema: schema }, (async (args: z.output<S>, extra: ToolExtra) => {
      try {
        return text(await fn(args, extra));
      } catch (err) {
        if (err instanceof GuardError || err instanceof ApiError || err instanceof ConnectionError) return failure(err.message);
        return failure(`Unexpected error: ${(err as Error).message}`);
      }
    }) as never);

  /** Every start: budget reserved first (so parallel calls cannot all pass), recorded with the id, released on failure. */
  const start = async (type: string, path: string, body: Record<string, unknown>, want: number | ((free: number) => number) = 1) => {
    const seat = await budget.admit(type, want);
    // An experiment runs `max_parallel` children at once: it holds that many slots, and without a
    // max_parallel of its own it gets the slots the session has free (the server's default could be more).
    const sent = EXPERIMENT_TYPES.has(type) && body.max_parallel === undefined ? { ...body, max_parallel: seat.weight } : body;
    let id: string | undefined;
    try {
      const r = await api.post<{ operation_id?: string; task_id?: string; data?: { operation_id?: string } }>(path, sent);
      id = r.operation_id ?? r.task_id ?? r.data?.operation_id;
      if (!id) throw new Error(`the server answered without an operation id: ${JSON.stringify(r).slice(0, 300)}`);
    } catch (err) {
      seat.release();
      throw err;
    }
    seat.commit(id);
    return { operation_id: id, status: 'started', next: `poll get_operation {"operation_id":"${id}"} (and get_metrics with a cursor) until status is completed, failed or cancelled`, budget: budget.summary() };
  };

  /** Slots an experiment holds: its max_parallel (capped by its trials), or the free slots when it names none. */
  const experimentSlots = (a: Record<string, unknown>) => {
    const children = typeof a.trials === 'number' && a.trials > 0 ? a.trials : Number.POSITIVE_INFINITY;
    return typeof a.max_parallel === 'number' ? Math.min(a.max_parallel, children) : (free: number) => Math.min(free, children);
  };

  // ── data ──
  tool('list_data_series', 'Stored bar series: symbol, timeframe, first/last bar, bar count, source.', z.object({}), async () => {
    const info = (await api.get<{ data: { series: unknown[] } }>('/data/info')).data;
    return info.series;
  });

  tool(
    'show_data',
    'The last bars of a stored series (OHLCV rows), optionally within dates.',
    z.object({
      symbol: z.string().min(1).max(64),
      timeframe: z.string().min(1).max(8),
      start_date: z.string().max(40).optional(),
      end_date: z.string().max(40).optional(),
      limit: z.number().int().min(1).max(2000).default(100),
    }),
    async (a) => {
      const r = await api.get<{ data: { dates: string[]; ohlcv: number[][]; metadata: Record<string, unknown> } }>(
        `/data/${seg(a.symbol)}/${seg(a.timeframe)}${query({ start_date: a.start_date, end_date: a.end_date, limit: a.limit })}`,
      );
      return { metadata: r.data.metadata, columns: ['time', 'open', 'high', 'low', 'close', 'volume'], bars: r.data.dates.map((d, i) => [d, ...r.data.ohlcv[i]]) };
    },
  );

  tool(
    'data_gaps',
    'Holes in a stored series beyond normal market closures (weekends, nights, holidays).',
    z.object({ symbol: z.string().min(1).max(64), timeframe: z.string().min(1).max(8), start_date: z.string().max(40).optional(), end_date: z.string().max(40).optional() }),
    async (a) => (await api.get<{ data: unknown }>(`/data/${seg(a.symbol)}/${seg(a.timeframe)}/gaps${query({ start_date: a.start_date, end_date: a.end_date })}`)).data,
  );

  tool(
    'import_csv',
    'Import bars from a CSV file in KTRDR_HOME/imports (or a folder the server lists in KTRDR_IMPORT_DIRS); paths outside KTRDR_HOME are refused.',
    z.object({ path: z.string().min(1).max(4096).describe('File path, relative to KTRDR_HOME or absolute inside it'), symbol: z.string().min(1).max(64), timeframe: z.string().min(1).max(8), timezone: z.string().max(64).optional() }),
    async (a) => {
      const path = checkPathInHome(a.path, opts.home);
      return (await api.post<{ data: unknown }>('/data/import', { path, symbol: a.symbol, timeframe: a.timeframe, timezone: a.timezone })).data;
    },
  );

  // ── indicators and strategies ──
  tool('list_indicators', 'Indicator types with their parameters (name, type, default, min/max) and outputs.', z.object({}), async () => {
    const r = await api.get<Record<string, unknown>>('/indicators');
    return (r.data ?? r.indicators ?? r) as unknown;
  });

  tool('list_strategies', 'Strategies: user folder first, then the bundled samples (source says which).', z.object({}), async () => {
    const r = await api.get<{ strategies: Record<string, unknown>[] }>('/strategies');
    return r.strategies.map((s) => ({ name: s.name, source: s.source, valid: s.valid, description: s.description, symbols: s.symbols, timeframes: s.timeframes, training_status: s.training_status }));
  });

  tool('get_strategy', 'One strategy: its YAML text, validity and issues.', z.object({ name: z.string().regex(NAME_RE).max(100) }), async (a) => {
    const r = await api.get<Record<string, unknown>>(`/strategies/${seg(checkName(a.name))}`);
    return { name: r.name, source: r.source, valid: r.valid, yaml: r.yaml, issues: ((r.issues as IssueDto[]) ?? []).map(issueLine) };
  });

  const validate = async (yaml: string, name?: string) => {
    const r = await api.post<{ valid: boolean; issues: IssueDto[]; message: string; features: string[] }>('/strategies/validate', { yaml, name });
    return {
      valid: r.valid,
      message: r.message,
      errors: r.issues.filter((i) => i.severity === 'error').map(issueLine),
      warnings: r.issues.filter((i) => i.severity === 'warning').map(issueLine),
      features: r.features,
    };
  };
  tool('validate_strategy', 'Validate strategy YAML text without saving it: every error with line:column.', strategyValidateBody, async (a) => validate(a.yaml, a.name));

  tool(
    'save_strategy',
    'Save strategy YAML under a NEW name in KTRDR_HOME/strategies (validated first). Never overwrites: an existing or bundled name is refused.',
    strategySaveBody.omit({ overwrite: true }).extend({ name: z.string().regex(NAME_RE, 'letters, digits, _ and - only').max(100) }),
    async (a) => {
      const name = checkName(a.name);
      const existing = (await api.get<{ strategies: { name: string; source: string }[] }>('/strategies')).strategies.find((s) => s.name === name);
      if (existing)
        throw new GuardError(
          existing.source === 'bundled' ? `Refused: '${name}' is a bundled strategy; save your version under a new name` : `Refused: a strategy named '${name}' already exists; choose a new name (the MCP server never overwrites)`,
        );
      const v = await validate(a.yaml, `${name}.yaml`);
      if (!v.valid) return { saved: false, ...v };
      const r = await api.put<{ path: string }>(`/strategies/${seg(name)}`, { yaml: a.yaml, overwrite: false });
      return { saved: true, name, path: r.path, warnings: v.warnings, features: v.features };
    },
  );

  // ── long jobs: each returns an operation id at once ──
  tool(
    'start_training',
    'Start training a saved strategy (returns operation_id at once). Symbols/timeframes default to the strategy’s training_data.',
    trainingStartBody.omit({ task_id: true }).extend({ strategy_name: z.string().regex(NAME_RE, 'letters, digits, _ and - only').max(100) }),
    async (a) => start('training', '/trainings/start', { ...a, strategy_name: checkName(a.strategy_name) }),
  );

  tool('start_backtest', 'Backtest the latest trained model of a strategy over a date range (returns operation_id at once).', backtestStartBody, async (a) => {
    if (a.model_path && (/^[\\/]|^[A-Za-z]:|\.\./.test(a.model_path) || a.model_path.includes('\0'))) checkPathInHome(a.model_path, opts.home, 'model_path');
    return start('backtesting', '/backtests/start', { ...a, strategy_name: checkName(a.strategy_name) });
  });

  tool(
    'start_portfolio_backtest',
    'Backtest one model over several symbols with one cash account (e.g. symbols EURUSD, AAPL, SPY; sizing equal_weight, fixed_fraction, volatility_target or kelly; returns operation_id at once). Results: portfolio metrics, per-leg PnL/costs/exposure/in-sample, leg correlation, equal-weight buy & hold, significance.',
    portfolioStartBody,
    async (a) => {
      for (const [field, path] of [['model_path', a.model_path], ...Object.entries(a.model_paths ?? {}).map(([k, v]) => [`model_paths.${k}`, v])] as [string, string | null | undefined][]) {
        if (path && (/^[\\/]|^[A-Za-z]:|\.\./.test(path) || path.includes('\0'))) checkPathInHome(path, opts.home, field);
      }
      return start('backtesting', '/backtests/portfolio/start', { ...a, strategy_name: checkName(a.strategy_name) });
    },
  );

  tool(
    'start_walk_forward',
    'Start a walk-forward experiment (train on each window, backtest the next with the instrument’s costs unless backtest.commission/slippage/costs override them; backtest.portfolio {symbols?, sizing, max_gross_exposure, rebalance} backtests every fold as one portfolio of the trained symbols; returns operation_id at once). It holds max_parallel of the session\'s concurrent slots (default: the slots still free), and its trainings spend training minutes.',
    walkForwardTool,
    async (a) => start('walk_forward', '/experiments/walk-forward/start', { ...a, strategy_name: checkName(a.strategy_name) }, experimentSlots(a)),
  );

  tool(
    'start_sweep',
    'Start a parameter sweep: trials ranked on a selection window, the chosen one backtested once on an untouched final holdout (backtest.portfolio: every backtest is a portfolio, DSR/PBO on its returns; returns operation_id at once). It holds min(trials, max_parallel) of the session\'s concurrent slots (default max_parallel: the slots still free), and every trial\'s training spends training minutes.',
    sweepTool,
    async (a) => start('sweep', '/experiments/sweeps/start', { ...a, strategy_name: checkName(a.strategy_name) }, experimentSlots(a)),
  );

  // ── following operations ──
  tool('get_operation', 'Status and progress of an operation (poll this; it never blocks).', operationIdParams, async (a) => {
    const d = await operationOf(a.operation_id);
    return {
      operation_id: d.operation_id,
      operation_type: d.operation_type,
      status: d.status,
      percentage: d.progress.percentage,
      current_step: d.progress.current_step,
      started_at: d.started_at,
      completed_at: d.completed_at,
      error_message: d.error_message,
      warnings: d.warnings,
      started_by: d.metadata.started_by ?? null,
      result_summary: d.result_summary,
    };
  });

  tool(
    'wait_for_operation',
    'Wait up to timeout_seconds (at most 60) for an operation to finish, with progress notifications when the client asks for them; answers the status either way. Poll again if it is still running.',
    operationIdParams.extend({ timeout_seconds: z.number().min(1).max(60).default(30) }),
    async (a, extra) => {
      const end = Date.now() + a.timeout_seconds * 1000;
      const token = extra._meta?.progressToken;
      for (;;) {
        const d = await operationOf(a.operation_id);
        const pct = d.progress.percentage;
        if (token !== undefined)
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: pct, total: 100, message: d.progress.current_step ?? d.status } }).catch(() => undefined);
        const done = ['completed', 'failed', 'cancelled'].includes(d.status);
        if (done || Date.now() >= end || extra.signal.aborted)
          return { operation_id: d.operation_id, status: d.status, percentage: pct, current_step: d.progress.current_step, error_message: d.error_message, finished: done };
        await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, end - Date.now()))));
      }
    },
  );

  tool(
    'get_metrics',
    'Metrics recorded since a cursor (per epoch for training); pass new_cursor back next time. Also the trend flags (best_epoch, is_overfitting, is_plateaued).',
    operationIdParams.extend(metricsQuery.shape),
    async (a) => {
      const r = await api.get<{ metrics: unknown[]; new_cursor: number; data?: { metrics?: Record<string, unknown> } }>(`/operations/${seg(a.operation_id)}/metrics${query({ cursor: a.cursor })}`);
      const { epochs: _epochs, ...trend } = r.data?.metrics ?? {};
      return { metrics: r.metrics, new_cursor: r.new_cursor, trend };
    },
  );

  tool('cancel_operation', 'Cancel an operation this session started.', operationIdParams.extend({ reason: z.string().max(500).optional() }), async (a) => {
    if (!budget.owns(a.operation_id)) throw new GuardError(`Refused: ${a.operation_id} was not started by this MCP session; an agent cancels only its own operations`);
    const r = await api.delete<{ data: unknown }>(`/operations/${seg(a.operation_id)}`, { reason: a.reason ?? 'Cancelled by an agent (MCP)' });
    return r.data;
  });

  tool(
    'resume_operation',
    'Resume a failed, cancelled or interrupted training this session started, from its last checkpoint (the resumed run ends exactly as an uninterrupted one would). Refused when the strategy or its data changed since the checkpoint, or when there is none.',
    operationIdParams,
    async (a) => {
      if (!budget.owns(a.operation_id)) throw new GuardError(`Refused: ${a.operation_id} was not started by this MCP session; an agent resumes only its own operations`);
      const op = (await api.get<{ data: OperationState }>(`/operations/${seg(a.operation_id)}`)).data;
      // Reserved before the request (as every start), then handed back to the resumed operation itself.
      const seat = await budget.admit(op.operation_type);
      let r: { data: { operation_id: string; status: string; resumed_from: unknown } };
      try {
        r = await api.post<{ data: { operation_id: string; status: string; resumed_from: unknown } }>(`/operations/${seg(a.operation_id)}/resume`);
      } finally {
        seat.release();
      }
      budget.resumed(a.operation_id);
      return { ...r.data, next: `poll get_operation {"operation_id":"${a.operation_id}"} until status is completed, failed or cancelled`, budget: budget.summary() };
    },
  );

  /** One operation, read through the envelope schema (its result_summary in the contract form). */
  const operationOf = async (id: string) => operationEnvelopeSchema.parse(await api.get<unknown>(operationPath(id))).data;

  /**
   * The result in the contract form, parsed by its kind's contract (null values carry their reason in
   * null_reasons); a result this version cannot read (an older one) is said, never passed on as valid.
   */
  const resultOf = async (id: string) => {
    const r = operationResultsResponseSchema.parse(await api.get<unknown>(resultsPath(id)));
    if (r.status !== 'completed') return { response: r, typed: null };
    const read = readOperationResult(r.operation_type, r.results);
    if (read.status === 'unreadable') throw new GuardError(read.message);
    return { response: r, typed: read.status === 'parsed' ? read.typed : null };
  };

  tool(
    'get_results',
    'Results of a finished operation: `results` (training metrics and model; backtest metrics, benchmarks, costs, significance; experiments: folds or trials, final holdout, DSR/PBO; a null value has its reason in the null_reasons beside it) and `shown`, every value the app shows with its label, unit and text ("—" with the reason when undefined).',
    operationIdParams,
    async (a) => {
      const { response, typed } = await resultOf(a.operation_id);
      return { operation_type: response.operation_type, status: response.status, results: typed?.result ?? response.results, ...(typed ? { shown: flattenSections(presentResult(typed)) } : {}) };
    },
  );

  tool('get_significance', 'The significance block of a finished backtest (is the return distinguishable from random entries?), with the verdict in words.', operationIdParams, async (a) => {
    const { response, typed } = await resultOf(a.operation_id);
    if (!typed || (typed.type !== 'backtesting' && typed.type !== 'portfolio')) throw new GuardError(`${a.operation_id} is a ${response.operation_type} operation; significance belongs to backtests`);
    const r = typed.result;
    return {
      significance: r.significance,
      verdict: significanceVerdict(r.significance, r.null_reasons.significance),
      sharpe_ci95: r.sharpe_ci95,
      null_reasons: r.null_reasons,
      shown: flattenSections(presentResult(typed).filter((s) => s.id === 'significance')),
    };
  });

  tool(
    'list_operations',
    'Operations, newest first; mine=true keeps those this session started.',
    operationsListQuery.omit({ active_only: true }).extend({ active_only: z.boolean().optional(), mine: z.boolean().default(false) }),
    async (a) => {
      const r = operationListSchema.parse(await api.get<unknown>(`/operations${query({ status: a.status, operation_type: a.operation_type, limit: a.limit, offset: a.offset, active_only: a.active_only })}`));
      const items = r.data
        .filter((o) => !a.mine || budget.owns(o.operation_id))
        .map((o) => ({ operation_id: o.operation_id, operation_type: o.operation_type, status: o.status, percentage: o.progress_percentage, created_at: o.created_at, started_by: o.metadata.started_by ?? null }));
      return { total_count: r.total_count, operations: items };
    },
  );

  tool('session_budget', 'What this MCP session may still start: concurrent operations and training minutes.', z.object({}), async () => {
    await budget.refresh();
    return budget.summary();
  });

  // ── resources ──
  server.registerResource(
    'strategy-schema',
    'ktrdr://strategy-schema',
    { title: 'Strategy file schema', description: 'JSON Schema of a strategy YAML, the rules it cannot express, indicator types and a minimal example', mimeType: 'application/json' },
    async (uri) => {
      const r = await api.get<{ data: unknown }>('/schemas/strategy');
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(r.data, null, 2) }] };
    },
  );
  server.registerResource(
    'metric-definitions',
    'ktrdr://metrics',
    { title: 'Metric definitions', description: 'What each result field means: label, unit, one-line definition', mimeType: 'application/json' },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(metricDefinitions(), null, 2) }] }),
  );

  // ── prompts ──
  server.registerPrompt(
    'design_and_test_strategy',
    {
      title: 'Design and test a strategy idea',
      description: 'Turn a trading idea into a strategy, train it, backtest it out of sample and judge it honestly',
      argsSchema: { idea: z.string().describe('The idea in a sentence or two'), symbol: z.string().optional(), timeframe: z.string().optional() },
    },
    ({ idea, symbol, timeframe }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Design and test this trading idea on the KTRDR workstation: ${idea}`,
              symbol || timeframe ? `Market: ${symbol ?? 'any stored symbol'} ${timeframe ?? ''}`.trim() : 'Pick a stored series with list_data_series.',
              'Steps: 1) read ktrdr://strategy-schema and list_indicators; 2) check the data (list_data_series, data_gaps); 3) write the YAML and validate_strategy until it has no errors;',
              '4) save_strategy under a new name; 5) start_training on an early date range and poll get_operation/get_metrics (watch is_overfitting);',
              '6) start_backtest on a LATER, non-overlapping range (out of sample); 7) get_results and get_significance;',
              '8) report: return vs buy-and-hold, Sharpe, drawdown, trades, significance, and whether the edge is likely real. Change one thing at a time; never tune on the test range.',
            ].join('\n'),
          },
        },
      ],
    }),
  );
  server.registerPrompt(
    'diagnose_overfit',
    {
      title: 'Diagnose an overfit result',
      description: 'Look at a training or backtest that looks too good (or fell apart out of sample) and say why',
      argsSchema: { operation_id: z.string().describe('A training or backtest operation id') },
    },
    ({ operation_id }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Diagnose whether operation ${operation_id} is overfit.`,
              '1) get_operation and get_results; for training, get_metrics from cursor 0: compare train vs validation vs test accuracy, the best_epoch and is_overfitting flags, and results.baseline (per split: the best constant predictor on that split, the model’s accuracy beside it and the p-value that it beats it; beats_baseline is the test verdict).',
              '2) For a backtest: compare with buy-and-hold, count trades (few trades = noise), read get_significance (probabilistic / deflated Sharpe, p-values).',
              '3) Check the date ranges: the backtest must not overlap the training range.',
              '4) Conclude: overfit or not, the evidence for each point (read ktrdr://metrics for what each metric means), and the smallest change to test next (fewer features, more regularisation, shorter training, a longer out-of-sample period).',
            ].join('\n'),
          },
        },
      ],
    }),
  );

  // Training that runs past the session's minutes is cancelled, not just refused next time.
  const timer = setInterval(() => {
    void (async () => {
      try {
        await budget.refresh();
        for (const id of budget.overBudget())
          await api.delete(`/operations/${seg(id)}`, { reason: `MCP session training budget (${opts.maxTrainingMinutes} min) spent` }).catch(() => undefined);
      } catch {
        // the server may be down; the next tick tries again
      }
    })();
  }, opts.enforceEveryMs ?? 5000);
  timer.unref();

  return { server, budget, dispose: () => clearInterval(timer) };
}
