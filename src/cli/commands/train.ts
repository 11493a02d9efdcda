// Training from the terminal: `ktrdr train NAME` (KTRDR [H]: fire-and-forget or --follow with a live
// epoch line; Ctrl+C cancels), `ktrdr models train --strategy FILE_OR_NAME` (KTRDR [E] / seed 004:
// prints "Training started. Operation ID: <id>"), and `ktrdr models list`.
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { describeBaseline, describeBaselineScores } from '../../shared/evaluation-text';
import { formatMetric, metricLabel } from '../../shared/metrics-catalog';
import type { OperationInfo } from '../../shared/operations';
import { resultsPath } from '../../shared/results/envelope';
import { presentTraining } from '../../shared/results/present';
import { parseTrainingResult, type TrainingResult } from '../../shared/results/training';
import { afterStart } from '../follow';
import { checkTimeframes, collectList, dateRange, dateRangeOptions, fieldFlags, followOption, jsonOption, UsageError, type DateRangeValues } from '../options';
import { printJson, sectionsText, table } from '../format';
import type { CliContext } from '../index';

interface StartAnswer {
  task_id: string;
  operation_id?: string;
  message: string;
  symbols: string[];
  timeframes: string[];
  warnings?: string[];
}


/** A path like ./strategies/x.yaml names the strategy by its file stem (KTRDR sends the stem). */
export function strategyNameOf(fileOrName: string): string {
  return basename(fileOrName).replace(/\.(ya?ml)$/i, '');
}

/** A number from an epoch record as the metric catalogue writes it ("—" when absent). */
const metric = (key: string, v: unknown) => formatMetric(key, typeof v === 'number' && Number.isFinite(v) ? v : null);

/** One line per epoch for --follow: epoch, losses, accuracies, time (units and precision of the catalogue). */
export function epochLine(m: Record<string, unknown>): string | null {
  if (typeof m.epoch !== 'number') return null;
  const of = typeof m.total_epochs === 'number' ? `/${m.total_epochs}` : '';
  return `Epoch ${m.epoch}${of}  loss ${metric('train_loss', m.train_loss)}  acc ${metric('train_accuracy', m.train_accuracy)}  val_loss ${metric('val_loss', m.val_loss)}  val_acc ${metric('val_accuracy', m.val_accuracy)}  (${metric('training_time', m.duration)})`;
}

/** The most epochs the run was allowed (the operation's metadata), or null. */
function maxEpochsOf(info: OperationInfo): number | null {
  const v = (info.metadata?.parameters as { total_epochs?: unknown } | undefined)?.total_epochs;
  return typeof v === 'number' ? v : null;
}

/** "12 of 30 (early stopped), best epoch 9" — "early stopped" only when it ended before the maximum. */
export function epochsSummary(tm: { epochs_trained?: unknown; early_stopped?: unknown; best_epoch?: unknown }, maxEpochs: number | null): string {
  const n = typeof tm.epochs_trained === 'number' ? tm.epochs_trained : null;
  const stoppedEarly = tm.early_stopped === true && n !== null && (maxEpochs === null || n < maxEpochs);
  return `${n ?? '?'}${maxEpochs !== null ? ` of ${maxEpochs}` : ''}${stoppedEarly ? ' (early stopped)' : ''}, best epoch ${String(tm.best_epoch ?? '?')}`;
}

/**
 * A strategy argument that is a file path (KTRDR: `--strategy strategies/x.yaml`) is honoured: the
 * file's text is what trains. It is saved into the server's strategies folder under its stem when
 * that name is new; an existing strategy of that name with different text is not overwritten unless
 * asked (--overwrite-strategy). A bare name is sent as is.
 */
export async function resolveStrategyArg(ctx: CliContext, arg: string, overwrite = false): Promise<string> {
  const name = strategyNameOf(arg);
  const looksLikePath = /[\\/]/.test(arg) || /\.ya?ml$/i.test(arg);
  if (!looksLikePath) return name;
  // Not a file here (a path on the server's side, KTRDR scripts): the stem names it, as before.
  if (!existsSync(arg)) {
    process.stderr.write(`note: ${resolvePath(arg)} is not a file here; using the server's strategy '${name}'\n`);
    return name;
  }
  const text = readFileSync(arg, 'utf8');
  const client = ctx.client();
  const current = await client.get<{ yaml?: string; source?: string }>(`/strategies/${encodeURIComponent(name)}`).catch(() => null);
  if (current?.yaml === text) return name;
  if (current && !overwrite)
    throw new Error(`The strategies folder already has '${name}' with different text than ${arg}: rename the file, or pass --overwrite-strategy to replace it`);
  await client.request('PUT', `/strategies/${encodeURIComponent(name)}`, { yaml: text, overwrite: true });
  process.stderr.write(`Saved ${arg} as strategy '${name}' in the strategies folder\n`);
  return name;
}

async function startTraining(ctx: CliContext, body: Record<string, unknown>): Promise<StartAnswer> {
  return ctx.client().post<StartAnswer>('/trainings/start', body);
}

/** The model against the best constant predictor on each evaluated split, in plain words. */
export function baselineLines(results: Pick<TrainingResult, 'baseline' | 'beats_baseline'>): string[] {
  const out: string[] = [];
  for (const split of ['validation', 'test'] as const) {
    const b = results.baseline[split];
    if (!b) continue;
    out.push(`  vs constant      ${describeBaseline(split, b)}`);
    const scores = describeBaselineScores(b);
    if (scores) out.push(`                   ${scores}`);
  }
  if (results.beats_baseline === false) out.push('  verdict          the model does NOT beat a constant predictor out of sample');
  else if (results.beats_baseline === true) out.push('  verdict          the model beats the best constant predictor on the test split (p < 0.05)');
  return out;
}

/** A finished training in the terminal: the model, the epochs, the baseline verdict and every metric the presenter shows. */
export function trainingSummary(r: TrainingResult, maxEpochs: number | null): string {
  const lines = [`Model saved: ${r.model_path}`, `  epochs trained   ${epochsSummary(r.training_metrics, maxEpochs)}`, ...baselineLines(r)];
  if (typeof r.model_info.backend === 'string') lines.push(`  backend          ${r.model_info.backend}`);
  return `${lines.join('\n')}\n\n${sectionsText(presentTraining(r))}`;
}

/** The end of a followed training: the saved model's summary, or the status and reason (exit code set). */
export async function printOutcome(ctx: CliContext, info: OperationInfo): Promise<void> {
  if (info.status !== 'completed') {
    process.stdout.write(`Training ${info.status}${info.error_message ? `: ${info.error_message}` : ''}\n`);
    return;
  }
  const { results } = await ctx.client().get<{ results: unknown }>(resultsPath(info.operation_id));
  process.stdout.write(`${trainingSummary(parseTrainingResult(results), maxEpochsOf(info))}\n`);
}

/** The request both training commands send. */
function trainingBody(strategy: string, symbols: string[] | undefined, timeframes: string[] | undefined, range: { start?: string; end?: string }) {
  return {
    strategy_name: strategy,
    ...(symbols?.length ? { symbols } : {}),
    ...(timeframes?.length ? { timeframes } : {}),
    ...(range.start ? { start_date: range.start } : {}),
    ...(range.end ? { end_date: range.end } : {}),
  };
}

type TrainOptions = DateRangeValues & { symbols?: string[]; timeframes?: string[]; follow?: boolean; json?: boolean; overwriteStrategy?: boolean };

export function registerTrainCommands(program: Command, ctx: CliContext): void {
  const train = program
    .command('train <strategy>')
    .description("Train a strategy (symbols/timeframes default to the strategy's own)")
    .option('--symbols <list>', 'symbols, comma-separated or repeated', collectList)
    .option('--timeframes <list>', 'timeframes, comma-separated or repeated', collectList)
    .option('--overwrite-strategy', 'a strategy FILE replaces a different strategy of the same name in the strategies folder');
  jsonOption(followOption(fieldFlags(dateRangeOptions(train), {})))
    .action(async (strategy: string, o: TrainOptions) => {
      const body = trainingBody(await resolveStrategyArg(ctx, strategy, o.overwriteStrategy), o.symbols, checkTimeframes(o.timeframes, '--timeframes'), dateRange(o));
      const res = await startTraining(ctx, body);
      await afterStart(ctx.client(), res, o, (info) => (o.json ? printJson(info) : printOutcome(ctx, info)), { onMetric: epochLine });
    });

  const models = program.command('models').description('Trained models: train and list');

  const modelsTrain = models
    .command('train [strategy_file] [symbol] [timeframe]')
    .description('Start training (KTRDR form): prints "Training started. Operation ID: <id>"')
    .option('--strategy <file_or_name>', 'strategy file (its stem is the name) or name')
    .option('--symbols <list>', 'symbols, comma-separated or repeated', collectList)
    .option('--timeframes <list>', 'timeframes, comma-separated or repeated', collectList)
    .option('--overwrite-strategy', 'a strategy FILE replaces a different strategy of the same name in the strategies folder');
  jsonOption(followOption(fieldFlags(dateRangeOptions(modelsTrain), { strategy_name: '--strategy' }))).action(
    async (file: string | undefined, symbol: string | undefined, timeframe: string | undefined, o: TrainOptions & { strategy?: string }) => {
      const strategy = o.strategy ?? file;
      if (!strategy) throw new UsageError('Name the strategy: ktrdr models train --strategy FILE_OR_NAME (or as the first argument)');
      const symbols = o.symbols ?? (symbol ? [symbol] : undefined);
      const timeframes = checkTimeframes(o.timeframes ?? (timeframe ? [timeframe] : undefined), o.timeframes ? '--timeframes' : 'TIMEFRAME');
      const res = await startTraining(ctx, trainingBody(await resolveStrategyArg(ctx, strategy, o.overwriteStrategy), symbols, timeframes, dateRange(o)));
      const announce = (id: string) => `Training started. Operation ID: ${id}`;
      await afterStart(ctx.client(), res, { ...o, announce }, (info) => (o.json ? printJson(info) : printOutcome(ctx, info)), { onMetric: epochLine });
    },
  );

  models
    .command('list')
    .description('List trained models, newest first')
    .option('--strategy <name>', 'only this strategy')
    .option('--json', 'print JSON')
    .action(async (o: { strategy?: string; json?: boolean }) => {
      const q = o.strategy ? `?strategy=${encodeURIComponent(o.strategy)}` : '';
      const res = await ctx.client().get<{ models: { model_path: string; symbols?: string[]; created_at: string | null; validation_accuracy?: number | null; test_accuracy?: number | null }[] }>(`/models${q}`);
      if (o.json) return printJson(res);
      if (!res.models.length) return void process.stdout.write('No trained models.\n');
      process.stdout.write(
        `${table(
          ['MODEL', 'SYMBOLS', 'CREATED', metricLabel('best_val_accuracy').toUpperCase(), metricLabel('test_accuracy').toUpperCase()],
          res.models.map((m) => [m.model_path, (m.symbols ?? []).join(','), m.created_at, metric('best_val_accuracy', m.validation_accuracy), metric('test_accuracy', m.test_accuracy)]),
        )}\n`,
      );
    });
}
