// Baagøe's Alea generator, seeded the way seedrandom's `alea(String(seed))` is — the generator behind
// tfjs's seeded random ops (tf.randomUniform, hence tf.dropout and the glorot-uniform initialiser).
// Reproducing it lets the fused trainer draw the very same dropout masks and initial weights as the
// tfjs path, so the two trainers differ only by floating-point summation order. Reseedable in place so
// the training loop allocates nothing per batch.

import type { Vec } from './kernels';

const TWO_POW_32 = 0x100000000;
const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

export class Alea {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private c = 1;
  private n = 0;

  constructor(seed: string | number = 0) {
    if (typeof seed === 'number') this.reseedInt(seed);
    else this.reseed(seed);
  }

  /** Seeds from a string (seedrandom's behaviour for any seed value is `String(seed)`). */
  reseed(seed: string): void {
    this.begin();
    this.s0 -= this.mashString(seed);
    if (this.s0 < 0) this.s0 += 1;
    this.s1 -= this.mashString(seed);
    if (this.s1 < 0) this.s1 += 1;
    this.s2 -= this.mashString(seed);
    if (this.s2 < 0) this.s2 += 1;
  }

  /** Same as reseed(String(seed)) for a non-negative integer seed, without building the string. */
  reseedInt(seed: number): void {
    // Above ~1e15 value/div could round up a digit; such seeds take the string path.
    if (!(Number.isInteger(seed) && seed >= 0 && seed < 1e15)) {
      this.reseed(String(seed));
      return;
    }
    this.begin();
    this.s0 -= this.mashDigits(seed);
    if (this.s0 < 0) this.s0 += 1;
    this.s1 -= this.mashDigits(seed);
    if (this.s1 < 0) this.s1 += 1;
    this.s2 -= this.mashDigits(seed);
    if (this.s2 < 0) this.s2 += 1;
  }

  /** Uniform in [0, 1) with 32 bits of randomness. */
  next(): number {
    const t = 2091639 * this.s0 + this.c * TWO_POW_MINUS_32;
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }

  /**
   * tf.dropout's mask from this stream: out[i] = scale where float32(float32(u) + keep32) ≥ 1 (tfjs's
   * floor(u + keepProb) in float32), else 0. The state lives in locals for the loop's speed.
   */
  fillDropoutMask(out: Vec, n: number, keep32: number, scale: number): void {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let c = this.c;
    for (let i = 0; i < n; i++) {
      const t = 2091639 * s0 + c * TWO_POW_MINUS_32;
      s0 = s1;
      s1 = s2;
      c = t | 0;
      s2 = t - c;
      out[i] = Math.fround(Math.fround(s2) + keep32) >= 1 ? scale : 0;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.c = c;
  }

  private begin(): void {
    this.n = 0xefc8249d;
    this.c = 1;
    this.s0 = this.mashString(' ');
    this.s1 = this.mashString(' ');
    this.s2 = this.mashString(' ');
  }

  private mashChar(code: number): void {
    let n = this.n + code;
    let h = 0.02519603282416938 * n;
    n = h >>> 0;
    h -= n;
    h *= n;
    n = h >>> 0;
    h -= n;
    this.n = n + h * TWO_POW_32;
  }

  private mashString(data: string): number {
    for (let i = 0; i < data.length; i++) this.mashChar(data.charCodeAt(i));
    return (this.n >>> 0) * TWO_POW_MINUS_32;
  }

  /** Mash over the decimal digits of a non-negative integer, most significant first. */
  private mashDigits(value: number): number {
    let div = 1;
    while (div * 10 <= value) div *= 10;
    for (; div >= 1; div /= 10) this.mashChar(48 + (Math.floor(value / div) % 10));
    return (this.n >>> 0) * TWO_POW_MINUS_32;
  }
}
