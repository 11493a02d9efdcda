// Class indices shared with the model and the decision rules (KTRDR): 0 BUY, 1 HOLD, 2 SELL.
export const BUY = 0;
export const HOLD = 1;
export const SELL = 2;
/** The label is not known from the data (e.g. the tail, whose future is missing): never train on it. */
export const UNKNOWN = -1;

export interface LabelResult {
  /** One per bar: 0 BUY, 1 HOLD, 2 SELL, −1 unknown. */
  labels: Int8Array;
  /** Most bars of future any label looked at. */
  horizon: number;
  /**
   * Per bar: the last bar its label depends on (−1 where the label is unknown). The training split
   * purges a row whose label reaches into the next split on this, not on the blanket `horizon`.
   */
  knownAt: Int32Array;
}
