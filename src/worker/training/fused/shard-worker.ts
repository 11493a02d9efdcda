// One shard of a data-parallel training batch: rows [first, first + n) of the batch the main thread
// staged in shared memory, through a net holding the same weights. Used by the main thread for
// shard 0 (its own net, parallel.ts) and by each compute thread for its shard (shardLoop, blocked in
// Atomics.wait between batches).
import { createNet, type NetSpec, type ShardableNet } from './shard-net';
import { CTL_COUNT, CTL_GEN, CTL_DONE, CTL_MODE, CTL_PARAMS, CTL_STOP, MODE_EVAL, shardRows, STAT_CORRECT, STAT_LOSS, STAT_TOTAL_WEIGHT, STAT_WEIGHT, ShardViews, type ShardMemory } from './threads/shared';
import type { FusedWorkspace } from './trainer';

export interface ShardTotals {
  /** Training: this shard's part of the batch loss; evaluation: its Σ w·CE. */
  loss: number;
  weight: number;
  correct: number;
}

type Workspace = FusedWorkspace & { weightSum: number };

/** Forward (+ loss gradient and backward when training) of batch rows [first, first + n) from the staged batch; gradients in net.grads. */
export function runShardRows<W extends FusedWorkspace>(net: ShardableNet<W>, ws: W, v: ShardViews, first: number, n: number, mode: number): ShardTotals {
  const len = v.m.inputLength;
  ws.x32.set(v.x.subarray(first * len, (first + n) * len));
  net.loadInputs(ws, n);
  for (let i = 0; i < n; i++) {
    ws.labels[i] = v.labels[first + i];
    ws.rowWeights[i] = v.weights[first + i];
  }
  if (mode === MODE_EVAL) {
    const r = net.evaluateRows(ws, n);
    return { loss: r.lossSum, weight: r.weightSum, correct: r.correct };
  }
  for (let l = 1; l <= net.dropoutLayers; l++) net.setMaskRows(ws, l, v.masks[l - 1], first, n);
  net.forward(ws, n, true);
  const loss = net.lossAndGradient(ws, n, v.stats[STAT_TOTAL_WEIGHT]);
  net.backward(ws, n, true);
  return { loss, weight: (ws as unknown as Workspace).weightSum, correct: ws.correct };
}

/**
 * A compute thread's side: builds its copy of the net, then serves batches until the main thread sets
 * STOP. Errors are written to the shared memory (the main thread waits in Atomics.wait, not on messages).
 */
export function shardLoop(spec: NetSpec, capacity: number, index: number, shards: number, memory: ShardMemory): void {
  const v = new ShardViews(memory);
  let built: ReturnType<typeof createNet>;
  try {
    built = createNet(spec, capacity);
  } catch (err) {
    v.fail(err instanceof Error ? err.message : String(err));
    return;
  }
  const { net, ws } = built;
  const ctl = v.ctl;
  let gen = 0;
  let paramsVersion = -1;
  for (;;) {
    Atomics.wait(ctl, CTL_GEN, gen);
    gen = Atomics.load(ctl, CTL_GEN);
    if (Atomics.load(ctl, CTL_STOP) !== 0) return;
    try {
      const [first, end] = shardRows(ctl[CTL_COUNT], shards, index);
      const mode = ctl[CTL_MODE];
      let t: ShardTotals = { loss: 0, weight: 0, correct: 0 };
      if (end > first) {
        if (ctl[CTL_PARAMS] !== paramsVersion) {
          net.params.set(v.params);
          paramsVersion = ctl[CTL_PARAMS];
        }
        t = runShardRows(net, ws, v, first, end - first, mode);
        if (mode !== MODE_EVAL) v.gradSlot(index).set(net.grads);
      }
      v.setStat(index, STAT_LOSS, t.loss);
      v.setStat(index, STAT_WEIGHT, t.weight);
      v.setStat(index, STAT_CORRECT, t.correct);
    } catch (err) {
      v.fail(err instanceof Error ? err.message : String(err));
    }
    Atomics.add(ctl, CTL_DONE, 1);
    Atomics.notify(ctl, CTL_DONE);
  }
}
