import type { Command } from 'commander';
import { PARENT_TYPES, type OperationInfo, type OperationSummary } from '../../shared/operations';
import { runLabel } from '../../shared/run-facts';
import type { CliContext } from '../index';
import { exitCodeFor, followOperation } from '../follow';
import { printJson, table } from '../format';
import { followOption, jsonOption } from '../options';
import { epochLine, printOutcome } from './train';

/** POST /operations/{id}/resume's answer (KTRDR's shape). */
interface ResumeAnswer {
  success: boolean;
  data: { operation_id: string; status: string; resumed_from: { checkpoint_type: string; created_at: string; epoch: number | null; batch?: number } };
}

/** "the cancellation checkpoint after epoch 12 (batch 40) of 2025-01-02T10:00:00Z". */
export function resumePoint(from: ResumeAnswer['data']['resumed_from']): string {
  const where = from.epoch === null ? '' : ` after epoch ${from.epoch}${from.batch ? ` (batch ${from.batch})` : ''}`;
  return `the ${from.checkpoint_type.replace(/_/g, ' ')} checkpoint${where} of ${from.created_at}`;
}

export function registerOperationsCommands(program: Command, ctx: CliContext): void {
  const ops = program.command('operations').alias('ops').description('List, inspect and cancel long-running operations');

  ops
    .command('list')
    .description('List operations, newest first')
    .option('--status <status>', 'pending|running|completed|failed|cancelled')
    .option('--type <type>', 'data_load|training|backtesting|dummy')
    .option('--limit <n>', 'how many', '20')
    .option('--active', 'only pending and running')
    .option('--json', 'print JSON')
    .action(async (o: { status?: string; type?: string; limit: string; active?: boolean; json?: boolean }) => {
      const q = new URLSearchParams({ limit: o.limit });
      if (o.status) q.set('status', o.status);
      if (o.type) q.set('operation_type', o.type);
      if (o.active) q.set('active_only', 'true');
      const res = await ctx.client().get<{ data: OperationSummary[]; total_count: number; active_count: number }>(`/operations?${q}`);
      if (o.json) return printJson(res);
      if (!res.data.length) return void process.stdout.write('No operations.\n');
      process.stdout.write(
        `${table(
          ['ID', 'TYPE', 'STATUS', 'PROGRESS', 'RUN', 'STEP', 'CREATED'],
          res.data.map((s) => [s.operation_id, s.operation_type, s.status, `${s.progress_percentage.toFixed(1)}%`, runLabel(s).slice(0, 70), (s.current_step ?? '').slice(0, 30), s.created_at]),
        )}\n${res.total_count} total, ${res.active_count} active\n`,
      );
    });

  ops
    .command('status <id>')
    .description('Show one operation')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const { data } = await ctx.client().get<{ data: OperationInfo }>(`/operations/${encodeURIComponent(id)}`);
      if (o.json) return printJson(data);
      const lines = [
        `Operation ${data.operation_id}`,
        `  type       ${data.operation_type}`,
        `  status     ${data.status}`,
        `  run        ${runLabel(data, { settings: true }) || '-'}`,
        `  progress   ${data.progress.percentage.toFixed(1)}%  ${data.progress.current_step ?? ''}`,
        `  created    ${data.created_at}`,
        `  started    ${data.started_at ?? '-'}`,
        `  finished   ${data.completed_at ?? '-'}`,
      ];
      if (data.error_message) lines.push(`  error      ${data.error_message}`);
      if (data.warnings.length) lines.push(`  warnings   ${data.warnings.join('; ')}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  ops
    .command('cancel <id>')
    .description('Cancel a pending or running operation')
    .option('--reason <text>', 'why (stored with the operation)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { reason?: string; json?: boolean }) => {
      const res = await ctx.client().delete<{ data: { operation_id: string; status: string; cancelled_at: string } }>(
        `/operations/${encodeURIComponent(id)}`,
        o.reason ? { reason: o.reason } : undefined,
      );
      if (o.json) return printJson(res);
      process.stdout.write(`Cancelled ${res.data.operation_id} at ${res.data.cancelled_at}\n`);
    });

  jsonOption(
    followOption(
      ops.command('resume <id>').description('Resume a failed, cancelled or interrupted training from its last checkpoint (an experiment from its stored state)'),
    ),
  ).action(async (id: string, o: { follow?: boolean; json?: boolean }) => {
    const res = await ctx.client().post<ResumeAnswer>(`/operations/${encodeURIComponent(id)}/resume`);
    const line = `Resumed ${res.data.operation_id} (${res.data.status}) from ${resumePoint(res.data.resumed_from)}`;
    if (!o.follow) {
      if (o.json) return printJson(res);
      process.stdout.write(`${line}\n  ktrdr follow ${res.data.operation_id}\n`);
      return;
    }
    if (!o.json) process.stderr.write(`${line}\n`);
    const client = ctx.client();
    const { data } = await client.get<{ data: OperationInfo }>(`/operations/${encodeURIComponent(res.data.operation_id)}`);
    const info = await followOperation(client, data.operation_id, { json: o.json, intervalMs: 300, onMetric: epochLine, children: PARENT_TYPES.has(data.operation_type) });
    process.exitCode = exitCodeFor(info);
    if (o.json) return printJson(info);
    if (info.operation_type === 'training') return printOutcome(ctx, info);
    process.stdout.write(`${info.operation_id} ${info.status}${info.error_message ? `: ${info.error_message}` : ''}\n`);
  });

  program
    .command('follow <id>')
    .description('Follow an operation with a live progress bar until it ends (Ctrl+C cancels it)')
    .option('--json', 'print the final operation as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const client = ctx.client();
      const { data } = await client.get<{ data: OperationInfo }>(`/operations/${encodeURIComponent(id)}`);
      // An experiment's children are ordinary operations: their status changes are printed as lines.
      const info = await followOperation(client, data.operation_id, { json: o.json, children: PARENT_TYPES.has(data.operation_type) });
      if (o.json) printJson(info);
      else process.stdout.write(`${info.operation_id} ${info.status}${info.error_message ? `: ${info.error_message}` : ''}\n`);
      process.exitCode = exitCodeFor(info);
    });
}
