// A small seeded PRNG (mulberry32): the trainer's shuffles and dropout seeds come from it, so the same
// seed gives the same run. Math.random is never used in training.

export class Rng {
  private state_: number;

  constructor(seed: number) {
    this.state_ = seed >>> 0 || 0x9e3779b9;
  }

  /** The generator's whole state (one 32-bit word): a checkpoint stores it, `restore` puts it back. */
  get state(): number {
    return this.state_;
  }

  restore(state: number): void {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) throw new Error(`Invalid generator state ${state}`);
    this.state_ = state;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state_ = (this.state_ + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A fresh 31-bit seed for a seeded tfjs op (dropout masks). */
  seed(): number {
    return this.int(0x7fffffff);
  }

  /** Fisher–Yates, in place. */
  shuffle<T extends { length: number; [i: number]: any }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
