// What a parse thread does with one request (parse-thread.ts is only its message loop): strategy
// YAML with the default indicator catalogue, a CSV import's checks, or JSON.parse.
import { parseStrategy } from '../../core/strategy';
import { prepareImport } from '../bars/import';
import { threadError, type ParseReply, type ParseRequest, type ParseTask } from './parse-pool';

function run(task: ParseTask): unknown {
  if (task.kind === 'strategy') return parseStrategy(task.yaml, { sourceName: task.sourceName });
  if (task.kind === 'csv') return prepareImport(task.text, task.opts);
  const text = typeof task.text === 'string' ? task.text : Buffer.from(task.text.buffer, task.text.byteOffset, task.text.byteLength).toString('utf8');
  return text.trim() === '' ? undefined : JSON.parse(text);
}

/** The reply to one request, and the buffers to transfer with it. Results are plain data and Float64Arrays (structured-cloneable). */
export function answer(m: ParseRequest): { reply: ParseReply; transfer: ArrayBuffer[] } {
  try {
    const result = run(m.task);
    if (m.task.kind !== 'csv') return { reply: { id: m.id, result }, transfer: [] };
    // The bar columns move to the main thread instead of being copied (each has its own buffer).
    const b = (result as ReturnType<typeof prepareImport>).parsed.bars;
    const transfer = [...new Set([b.time, b.open, b.high, b.low, b.close, b.volume].map((a) => a.buffer as ArrayBuffer))];
    return { reply: { id: m.id, result }, transfer };
  } catch (err) {
    return { reply: { id: m.id, error: threadError(err) }, transfer: [] };
  }
}
