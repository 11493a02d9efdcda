// `ktrdr strategies list | validate NAME|PATH | features NAME` — a REST client like every other command.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../index';
import { printJson, table } from '../format';

interface IssueDto {
  severity: 'error' | 'warning' | 'info';
  category: string;
  message: string;
  details: { line?: number; column?: number; path?: string; suggestion?: string } | null;
}

interface ValidationDto {
  valid: boolean;
  strategy_name: string;
  issues: IssueDto[];
  message: string;
  features_count: number | null;
}

/** `file.yaml:12:5 error indicators.rsi_14.period: must be ≥ 2 (got 0) (hint)` */
export function formatIssueLine(i: IssueDto, source: string): string {
  const d = i.details ?? {};
  const where = d.line ? `${source}:${d.line}:${d.column ?? 1}` : source;
  return `${where} ${i.severity} ${d.path ? `${d.path}: ` : ''}${i.message}${d.suggestion ? ` (${d.suggestion})` : ''}`;
}

/** A local file (a path, or an existing *.yaml) is sent as text; anything else is a saved strategy's name. */
function isLocalFile(arg: string): boolean {
  return /[\\/]/.test(arg) || (/\.ya?ml$/i.test(arg) && existsSync(arg));
}

export function registerStrategiesCommands(program: Command, ctx: CliContext): void {
  const cmd = program.command('strategies').description('List, validate and inspect strategies');

  cmd
    .command('list')
    .description('Strategies in <KTRDR_HOME>/strategies and the bundled samples')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const res = await ctx.client().get<{ strategies: any[] }>('/strategies/');
      if (o.json) return printJson(res);
      if (!res.strategies.length) return void process.stdout.write('No strategies.\n');
      process.stdout.write(
        `${table(
          ['NAME', 'VALID', 'SYMBOLS', 'TIMEFRAMES', 'STATUS', 'SOURCE', 'DESCRIPTION'],
          res.strategies.map((s) => [
            s.name,
            s.valid ? 'yes' : `no (${s.error_count})`,
            (s.symbols ?? []).join(',') || '-',
            (s.timeframes ?? []).join(',') || '-',
            s.training_status,
            s.source,
            String(s.description ?? '').slice(0, 50),
          ]),
        )}\n`,
      );
    });

  cmd
    .command('validate <nameOrPath>')
    .description('Validate a strategy file (./path.yaml) or a saved strategy by name; exit 1 when invalid')
    .option('--json', 'print JSON')
    .option('-q, --quiet', 'print errors only')
    .action(async (arg: string, o: { json?: boolean; quiet?: boolean }) => {
      let res: ValidationDto;
      let source: string;
      if (isLocalFile(arg)) {
        if (!existsSync(arg)) throw new Error(`no such file: ${arg}`);
        source = arg;
        res = await ctx.client().post<ValidationDto>('/strategies/validate', { yaml: readFileSync(arg, 'utf8'), name: basename(arg) });
      } else {
        source = `${arg}.yaml`;
        res = await ctx.client().post<ValidationDto>(`/strategies/validate/${encodeURIComponent(arg)}`);
      }
      if (!res.valid) process.exitCode = 1;
      if (o.json) return printJson(res);
      const shown = res.issues.filter((i) => !o.quiet || i.severity === 'error');
      const lines = shown.map((i) => formatIssueLine(i, source));
      lines.push(res.valid ? `✓ ${res.message}${res.features_count !== null ? `; ${res.features_count} features` : ''}` : `✗ ${res.message}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  cmd
    .command('features <name>')
    .description('The model inputs a strategy resolves to, in order')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const res = await ctx.client().get<{ features: any[]; count: number }>(`/strategies/${encodeURIComponent(name)}/features`);
      if (o.json) return printJson(res);
      process.stdout.write(
        `${table(
          ['#', 'FEATURE', 'TF', 'FUZZY SET', 'MEMBERSHIP', 'INDICATOR', 'OUTPUT'],
          res.features.map((f, i) => [i, f.feature_id, f.timeframe, f.fuzzy_set, f.membership, f.indicator_id, f.indicator_output]),
        )}\n${res.count} features\n`,
      );
    });
}
