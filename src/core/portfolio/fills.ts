// Every order the book filled (record_details): entries, exits, rebalancing resizes and the closes at
// the end of a leg's data. Rows of Float64Array chunks, like the trade log, so recording allocates
// nothing per fill; objects are built once at the end.

export type FillKind = 'entry' | 'exit' | 'rebalance' | 'end_of_data';
const KINDS: readonly FillKind[] = ['entry', 'exit', 'rebalance', 'end_of_data'];

export interface Fill {
  leg: number;
  /** The leg's bar index and the fill time (the bar's open; its close for end_of_data). */
  bar: number;
  time: string;
  kind: FillKind;
  /** +1 bought, −1 sold. */
  side: 1 | -1;
  /** Series units (split-adjusted units on split-adjusted bars). */
  quantity: number;
  /** Fill price, costs in the price included. */
  price: number;
  commission: number;
}

const WIDTH = 7;
const CHUNK = 1024;

export class FillLog {
  private readonly chunks: Float64Array[] = [];
  count = 0;

  push(leg: number, bar: number, time: number, kind: FillKind, side: number, quantity: number, price: number, commission: number): void {
    const j = this.count % CHUNK;
    if (j === 0) this.chunks.push(new Float64Array(CHUNK * WIDTH));
    const b = this.chunks[this.chunks.length - 1];
    const o = j * WIDTH;
    b[o] = leg;
    b[o + 1] = bar;
    b[o + 2] = time;
    b[o + 3] = KINDS.indexOf(kind) * 2 + (side > 0 ? 1 : 0);
    b[o + 4] = quantity;
    b[o + 5] = price;
    b[o + 6] = commission;
    this.count++;
  }

  toFills(): Fill[] {
    const out: Fill[] = [];
    for (let i = 0; i < this.count; i++) {
      const b = this.chunks[Math.floor(i / CHUNK)];
      const o = (i % CHUNK) * WIDTH;
      out.push({
        leg: b[o],
        bar: b[o + 1],
        time: new Date(b[o + 2]).toISOString(),
        kind: KINDS[Math.floor(b[o + 3] / 2)],
        side: b[o + 3] % 2 === 1 ? 1 : -1,
        quantity: b[o + 4],
        price: b[o + 5],
        commission: b[o + 6],
      });
    }
    return out;
  }
}
