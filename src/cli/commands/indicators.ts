// `ktrdr indicators list | calc SYMBOL TIMEFRAME -i rsi:period=14 -i macd`
import type { Command } from 'commander';
import type { CliContext } from '../index';
import { printJson, table } from '../format';
import { checkTimeframes, dateRange, dateRangeOptions, fieldFlags, UsageError, type DateRangeValues } from '../options';

/** `rsi:period=14,source=close` → {type: 'rsi', parameters: {period: 14, source: 'close'}} */
export function parseIndicatorSpec(spec: string): { type: string; parameters: Record<string, unknown> } {
  const [type, rest] = spec.split(':', 2);
  const parameters: Record<string, unknown> = {};
  for (const kv of (rest ?? '').split(',').filter(Boolean)) {
    const [k, v] = kv.split('=', 2);
    if (!k || v === undefined) throw new UsageError(`bad parameter '${kv}' in '${spec}': write name=value`);
    parameters[k.trim()] = v === 'true' ? true : v === 'false' ? false : v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v.trim();
  }
  return { type: type.trim(), parameters };
}

const collect = (v: string, acc: string[]) => [...acc, v];

export function registerIndicatorsCommands(program: Command, ctx: CliContext): void {
  const cmd = program.command('indicators').description('Indicator catalogue and calculation');

  cmd
    .command('list')
    .description('Every indicator with its parameters and outputs')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const res = await ctx.client().get<{ data: any[] }>('/indicators/');
      if (o.json) return printJson(res);
      process.stdout.write(
        `${table(
          ['TYPE', 'CATEGORY', 'PARAMETERS', 'OUTPUTS'],
          res.data.map((d) => [d.id, d.category, d.parameters.map((p: any) => `${p.name}=${p.default}`).join(' '), d.outputs.join(',')]),
        )}\n`,
      );
    });

  const calc = cmd
    .command('calc <symbol> <timeframe>')
    .description('Compute indicators over stored bars, e.g. -i rsi:period=14 -i macd (--start: first bar shown; earlier bars still feed the warm-up)')
    .requiredOption('-i, --indicator <spec>', 'type[:name=value,...] (repeatable)', collect, [] as string[])
    .option('-n, --rows <n>', 'rows shown (last ones)', '20')
    .option('--json', 'print JSON (the first page of up to 10,000 rows)');
  fieldFlags(dateRangeOptions(calc, 'bar'), { symbol: 'SYMBOL', timeframe: 'TIMEFRAME', indicators: '--indicator' })
    .action(async (symbol: string, timeframe: string, o: DateRangeValues & { indicator: string[]; rows: string; json?: boolean }) => {
      checkTimeframes([timeframe], 'TIMEFRAME');
      const { start, end } = dateRange(o);
      const body = {
        symbol,
        timeframe,
        indicators: o.indicator.map(parseIndicatorSpec),
        ...(start ? { start_date: start } : {}),
        ...(end ? { end_date: end } : {}),
      };
      const first = await ctx.client().post<any>('/indicators/calculate?page_size=10000', body);
      if (o.json) return printJson(first);
      // The last rows are the interesting ones: fetch the last page when there is more than one.
      const res = first.metadata.total_pages > 1 ? await ctx.client().post<any>(`/indicators/calculate?page_size=10000&page=${first.metadata.total_pages}`, body) : first;
      const names = Object.keys(res.indicators);
      const n = Math.max(1, Number(o.rows) || 20);
      const from = Math.max(0, res.dates.length - n);
      const fmt = (v: number | null) => (v === null ? '-' : Math.abs(v) >= 1000 ? v.toFixed(2) : v.toPrecision(6));
      process.stdout.write(
        `${table(
          ['DATE', ...names],
          res.dates.slice(from).map((d: string, k: number) => [d, ...names.map((nm) => fmt(res.indicators[nm][from + k]))]),
        )}\n${first.metadata.total_items} bars; ${(res.warnings ?? []).join('; ')}\n`,
      );
    });
}
