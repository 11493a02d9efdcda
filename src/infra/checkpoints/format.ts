// A checkpoint is ONE self-checking file, so a scale-out worker can carry it as one blob:
//
//   "KTRDRCKP" | u32 format version | u32 header length H | header (UTF-8 JSON, H bytes) | padding to 8
//   | typed arrays, each at an 8-byte aligned offset named in the header | sha256 of all bytes before it
//
// The header is {meta, arrays: [{name, dtype, length, offset}]}: `meta` is the caller's JSON (numbers
// that JSON cannot hold, NaN, ±Infinity and −0, are written as {"$f64": "NaN"} and read back exactly).
// Arrays keep their exact bits (float64 weights of the fused nets, float32 of tfjs). A file that fails
// any check (magic, version, bounds, checksum) is refused as a whole: a half-written or altered
// checkpoint is never resumed from.
import { createHash } from 'node:crypto';

export const CHECKPOINT_MAGIC = 'KTRDRCKP';
export const CHECKPOINT_FORMAT_VERSION = 1;
const PREFIX = 16;
const DIGEST = 32;

export type CheckpointArray = Float64Array | Float32Array | Int32Array;
type DType = 'f64' | 'f32' | 'i32';

const DTYPES: Record<DType, { bytes: number; make: (buf: ArrayBuffer, offset: number, length: number) => CheckpointArray }> = {
  f64: { bytes: 8, make: (b, o, n) => new Float64Array(b, o, n) },
  f32: { bytes: 4, make: (b, o, n) => new Float32Array(b, o, n) },
  i32: { bytes: 4, make: (b, o, n) => new Int32Array(b, o, n) },
};

function dtypeOf(a: CheckpointArray): DType {
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  throw new Error('Checkpoint arrays are Float64Array, Float32Array or Int32Array');
}

export interface CheckpointContent<M = Record<string, unknown>> {
  meta: M;
  arrays: Record<string, CheckpointArray>;
}

interface ArrayEntry {
  name: string;
  dtype: DType;
  length: number;
  offset: number;
}

/** A file that is not a complete, unaltered checkpoint. */
export class CorruptCheckpointError extends Error {}

const align8 = (n: number) => (n + 7) & ~7;

/** JSON.stringify that keeps NaN, ±Infinity and −0 (plain JSON turns them into null and 0). */
export function toExactJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'number') return v;
    if (Number.isNaN(v)) return { $f64: 'NaN' };
    if (v === Infinity) return { $f64: 'Infinity' };
    if (v === -Infinity) return { $f64: '-Infinity' };
    if (Object.is(v, -0)) return { $f64: '-0' };
    return v;
  });
}

const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

export function fromExactJson(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const tag = (v as { $f64?: unknown }).$f64;
      if (keys.length === 1 && typeof tag === 'string' && tag in SPECIAL) return SPECIAL[tag];
    }
    return v;
  });
}

export function encodeCheckpoint(content: CheckpointContent<unknown>): Uint8Array {
  const entries: ArrayEntry[] = [];
  const names = Object.keys(content.arrays).sort();
  // Offsets depend on the header's length, which depends on the offsets' digits: lay the arrays out
  // after a header written with placeholder offsets, then grow the reserve until it fits.
  let reserve = 0;
  let headerBytes: Uint8Array;
  for (;;) {
    let offset = align8(PREFIX + reserve);
    entries.length = 0;
    for (const name of names) {
      const a = content.arrays[name];
      entries.push({ name, dtype: dtypeOf(a), length: a.length, offset });
      offset = align8(offset + a.byteLength);
    }
    headerBytes = new TextEncoder().encode(toExactJson({ meta: content.meta, arrays: entries }));
    if (headerBytes.length <= reserve) break;
    reserve = headerBytes.length + 64;
  }
  const last = entries[entries.length - 1];
  const dataEnd = last ? align8(last.offset + last.length * DTYPES[last.dtype].bytes) : align8(PREFIX + reserve);
  const out = new Uint8Array(dataEnd + DIGEST);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  view.setUint32(8, CHECKPOINT_FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, PREFIX);
  out.fill(0x20, PREFIX + headerBytes.length, PREFIX + reserve); // spaces: the reserve stays valid JSON padding
  for (const e of entries) {
    const a = content.arrays[e.name];
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), e.offset);
  }
  out.set(createHash('sha256').update(out.subarray(0, dataEnd)).digest(), dataEnd);
  return out;
}

/** Decodes and verifies a checkpoint; arrays are fresh aligned copies. Throws CorruptCheckpointError. */
export function decodeCheckpoint<M = Record<string, unknown>>(bytes: Uint8Array): CheckpointContent<M> {
  const fail = (why: string): never => {
    throw new CorruptCheckpointError(`Not a valid checkpoint: ${why}`);
  };
  if (bytes.length < PREFIX + DIGEST) fail(`${bytes.length} bytes is too short`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== CHECKPOINT_MAGIC) fail('wrong magic bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_FORMAT_VERSION) fail(`format version ${version} (this build reads ${CHECKPOINT_FORMAT_VERSION})`);
  const dataEnd = bytes.length - DIGEST;
  const digest = createHash('sha256').update(bytes.subarray(0, dataEnd)).digest();
  if (!digest.equals(Buffer.from(bytes.buffer, bytes.byteOffset + dataEnd, DIGEST))) fail('checksum mismatch (truncated or altered)');
  const headerLength = view.getUint32(12, true);
  if (PREFIX + headerLength > dataEnd) fail('header runs past the end');
  let header: { meta?: unknown; arrays?: ArrayEntry[] };
  try {
    header = fromExactJson(new TextDecoder().decode(bytes.subarray(PREFIX, PREFIX + headerLength))) as typeof header;
  } catch {
    return fail('header is not JSON');
  }
  if (!header || typeof header.meta !== 'object' || header.meta === null || !Array.isArray(header.arrays)) return fail('header lacks meta or arrays');
  const arrays: Record<string, CheckpointArray> = {};
  for (const e of header.arrays) {
    const t = DTYPES[e?.dtype];
    if (!t || typeof e.name !== 'string' || !Number.isInteger(e.length) || !Number.isInteger(e.offset) || e.length < 0 || e.offset % 8 !== 0) return fail(`bad array entry ${JSON.stringify(e)}`);
    if (e.offset < PREFIX + headerLength || e.offset + e.length * t.bytes > dataEnd) return fail(`array ${e.name} lies outside the data`);
    // A copy into a fresh buffer: `bytes` may be a Buffer view into a larger (pooled) ArrayBuffer, whose slice() shares memory.
    const copy = new Uint8Array(e.length * t.bytes);
    copy.set(bytes.subarray(e.offset, e.offset + copy.length));
    arrays[e.name] = t.make(copy.buffer, 0, e.length);
  }
  return { meta: header.meta as M, arrays };
}
