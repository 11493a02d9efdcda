// One series per file: "KTRBARS1" | u32 header length | JSON header | padding to 8 | 6 Float64 LE columns.
// Loading is one read plus typed-array views (no per-bar parsing).
import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import type { BarSeries, SeriesMeta } from '../../core/bars/types';

export const MAGIC = 'KTRBARS1';
export const COLUMN_NAMES = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
const LITTLE_ENDIAN = endianness() === 'LE';

export interface BarFileHeader {
  version: 1;
  symbol: string;
  timeframe: string;
  count: number;
  /** UTC ms of the first and last bar (null when empty). */
  start: number | null;
  end: number | null;
  source: string;
  synthetic: boolean;
  updated_at: string;
}

export class BarFileError extends Error {}

/** Byte offset of the first column for a header of `jsonBytes` bytes. */
function dataOffset(jsonBytes: number): number {
  return Math.ceil((8 + 4 + jsonBytes) / 8) * 8;
}

export function encodeBarFile(bars: BarSeries, meta: Required<SeriesMeta>): Buffer {
  const n = bars.time.length;
  const header: BarFileHeader = {
    version: 1,
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    count: n,
    start: n ? bars.time[0] : null,
    end: n ? bars.time[n - 1] : null,
    source: meta.source,
    synthetic: meta.synthetic,
    updated_at: new Date().toISOString(),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const off = dataOffset(json.length);
  const buf = Buffer.alloc(off + 6 * 8 * n);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(json.length, 8);
  json.copy(buf, 12);
  COLUMN_NAMES.forEach((c, k) => {
    const col = bars[c];
    const at = off + k * 8 * n;
    if (LITTLE_ENDIAN) Buffer.from(col.buffer, col.byteOffset, col.byteLength).copy(buf, at);
    else for (let i = 0; i < n; i++) buf.writeDoubleLE(col[i], at + i * 8);
  });
  return buf;
}

export function decodeHeader(buf: Buffer, path = 'bar file'): { header: BarFileHeader; offset: number } {
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw new BarFileError(`${path} is not a KTRDR bar file`);
  const len = buf.readUInt32LE(8);
  if (12 + len > buf.length) throw new BarFileError(`${path} has a truncated header`);
  const header = JSON.parse(buf.toString('utf8', 12, 12 + len)) as BarFileHeader;
  return { header, offset: dataOffset(len) };
}

/** Wraps the file's columns as Float64Array views over one buffer (copied only if misaligned or big-endian). */
export function decodeBarFile(buf: Buffer, path = 'bar file'): { header: BarFileHeader; bars: BarSeries } {
  const { header, offset } = decodeHeader(buf, path);
  const n = header.count;
  if (offset + 6 * 8 * n !== buf.length) throw new BarFileError(`${path} is truncated or corrupt (expected ${offset + 48 * n} bytes, found ${buf.length})`);
  let ab = buf.buffer;
  let base = buf.byteOffset + offset;
  if (!LITTLE_ENDIAN || base % 8 !== 0) {
    const copy = new ArrayBuffer(48 * n);
    const bytes = new Uint8Array(copy);
    bytes.set(buf.subarray(offset));
    if (!LITTLE_ENDIAN) {
      const dv = new DataView(copy);
      const f = new Float64Array(copy);
      for (let i = 0; i < 6 * n; i++) f[i] = dv.getFloat64(i * 8, true);
    }
    ab = copy;
    base = 0;
  }
  const col = (k: number) => new Float64Array(ab as ArrayBuffer, base + k * 8 * n, n);
  const bars: BarSeries = {
    symbol: header.symbol,
    timeframe: header.timeframe,
    time: col(0),
    open: col(1),
    high: col(2),
    low: col(3),
    close: col(4),
    volume: col(5),
    meta: { source: header.source, synthetic: header.synthetic },
  };
  return { header, bars };
}

/** Reads only the header (listing many series without loading their bars). */
export function readHeader(path: string): BarFileHeader {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(12);
    readSync(fd, head, 0, 12, 0);
    if (head.toString('latin1', 0, 8) !== MAGIC) throw new BarFileError(`${path} is not a KTRDR bar file`);
    const len = head.readUInt32LE(8);
    const json = Buffer.alloc(len);
    if (readSync(fd, json, 0, len, 12) !== len) throw new BarFileError(`${path} has a truncated header`);
    return JSON.parse(json.toString('utf8')) as BarFileHeader;
  } finally {
    closeSync(fd);
  }
}

/** Reads bars [from, to) of a file with positioned reads: a small range costs a small read. */
export function readBarRange(path: string, header: BarFileHeader, from: number, to: number): BarSeries {
  const n = header.count;
  const k = Math.max(0, to - from);
  const fd = openSync(path, 'r');
  try {
    const headLen = Buffer.alloc(4);
    readSync(fd, headLen, 0, 4, 8);
    const offset = dataOffset(headLen.readUInt32LE(0));
    const out = new Float64Array(6 * k);
    const bytes = new Uint8Array(out.buffer);
    for (let c = 0; c < 6; c++) {
      const want = k * 8;
      const got = want ? readSync(fd, bytes, c * want, want, offset + c * 8 * n + from * 8) : 0;
      if (got !== want) throw new BarFileError(`${path} is truncated`);
    }
    if (!LITTLE_ENDIAN) {
      const dv = new DataView(out.buffer);
      for (let i = 0; i < 6 * k; i++) out[i] = dv.getFloat64(i * 8, true);
    }
    const col = (c: number) => out.subarray(c * k, (c + 1) * k);
    return {
      symbol: header.symbol,
      timeframe: header.timeframe,
      time: col(0),
      open: col(1),
      high: col(2),
      low: col(3),
      close: col(4),
      volume: col(5),
      meta: { source: header.source, synthetic: header.synthetic },
    };
  } finally {
    closeSync(fd);
  }
}

/** Reads the time column only (8 bytes a bar) to find a range by binary search. */
export function readTimeColumn(path: string, header: BarFileHeader): Float64Array {
  const fd = openSync(path, 'r');
  try {
    const headLen = Buffer.alloc(4);
    readSync(fd, headLen, 0, 4, 8);
    const offset = dataOffset(headLen.readUInt32LE(0));
    const t = new Float64Array(header.count);
    const bytes = new Uint8Array(t.buffer);
    if (readSync(fd, bytes, 0, bytes.length, offset) !== bytes.length) throw new BarFileError(`${path} is truncated`);
    if (!LITTLE_ENDIAN) {
      const dv = new DataView(t.buffer);
      for (let i = 0; i < t.length; i++) t[i] = dv.getFloat64(i * 8, true);
    }
    return t;
  } finally {
    closeSync(fd);
  }
}
