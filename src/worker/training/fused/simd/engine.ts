// The WebAssembly SIMD kernels (kernels.as, compiled into module.ts) behind the same calls as the JS
// kernels. All buffers a kernel touches are Float64Array views into one WebAssembly.Memory (an arena
// sized once up front: growing a memory would detach every view), so JS code reads and writes them as
// before and a kernel call only passes byte offsets. Results are bit for bit the JS kernels' (same
// sums in the same order; see kernels.as), which the unit tests check.
import { SIMD_WASM_BASE64 } from './module';

interface Exports {
  gemm(a: number, aRow: number, aCol: number, b: number, bRow: number, c: number, cRow: number, M: number, N: number, P: number, init: number, iRow: number): void;
  colSum(d: number, rows: number, n: number, out: number): void;
  transpose(w: number, nIn: number, nOut: number, wt: number): void;
  relu(h: number, n: number): void;
  leaky(h: number, n: number, alpha: number): void;
  reluBack(d: number, h: number, n: number): void;
  leakyBack(d: number, h: number, n: number, alpha: number): void;
  mul(a: number, b: number, out: number, n: number): void;
  norm(g: number, n: number): number;
  adam(p: number, g: number, m: number, v: number, n: number, scale: number, wd: number, lr: number, c1: number, c2: number, b1: number, b2: number, k1: number, k2: number, eps: number): void;
  // float32 (batched recurrent inference)
  sgemm(a: number, aRow: number, b: number, bRow: number, c: number, cRow: number, M: number, N: number, P: number, init: number, iRow: number): void;
  initConstants(k: number): void;
  tanhF32(x: number, n: number, k: number): void;
  lstmCell(pre: number, c: number, h: number, hRow: number, B: number, H: number, first: boolean, k: number): void;
  gruGates(pre: number, h: number, hRow: number, rh: number, B: number, H: number, first: boolean, k: number): void;
  gruOut(pre: number, h: number, hRow: number, B: number, H: number, first: boolean, k: number): void;
  lstmStep(a1: number, a1Row: number, K1: number, a2: number, a2Row: number, K2: number, w: number, init: number, iRow: number, c: number, h: number, hRow: number, M: number, H: number, first: boolean, k: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where this runtime has no WebAssembly SIMD. */
function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = Buffer.from(SIMD_WASM_BASE64, 'base64');
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

export function simdSupported(): boolean {
  return simdModule() !== null;
}

const PAGE = 65_536;
/** Offset 0 stays unused: the kernels read a 0 pointer as "none" (gemm's init). */
const FIRST = 16;

export class SimdEngine {
  readonly k: Exports;
  private readonly memory: WebAssembly.Memory;
  private next = FIRST;

  private constructor(mod: WebAssembly.Module, bytes: number) {
    this.memory = new WebAssembly.Memory({ initial: Math.ceil((bytes + FIRST) / PAGE) + 1 });
    this.k = new WebAssembly.Instance(mod, { env: { memory: this.memory, abort: () => { throw new Error('wasm abort'); } } }).exports as unknown as Exports;
  }

  /** An engine with room for `values` float64 values (plus alignment), or null without SIMD support. */
  static create(values: number): SimdEngine | null {
    const mod = simdModule();
    return mod ? new SimdEngine(mod, values * 8 + 64 * 16) : null;
  }

  /** `n` zeroed float64 values in the engine's memory, 16-byte aligned. */
  alloc(n: number): Float64Array {
    const start = this.next;
    const end = start + n * 8;
    if (end > this.memory.buffer.byteLength) throw new Error(`SIMD arena full: ${n} more values do not fit in ${this.memory.buffer.byteLength} bytes`);
    this.next = (end + 15) & ~15;
    return new Float64Array(this.memory.buffer, start, n);
  }

  /** `n` zeroed float32 values in the engine's memory, 16-byte aligned. */
  alloc32(n: number): Float32Array {
    const start = this.next;
    const end = start + n * 4;
    if (end > this.memory.buffer.byteLength) throw new Error(`SIMD arena full: ${n} more float32 values do not fit in ${this.memory.buffer.byteLength} bytes`);
    this.next = (end + 15) & ~15;
    return new Float32Array(this.memory.buffer, start, n);
  }

  /** Byte address of element `i` of a view allocated here. */
  at(v: Float64Array | Float32Array, i = 0): number {
    return v.byteOffset + i * v.BYTES_PER_ELEMENT;
  }
}
