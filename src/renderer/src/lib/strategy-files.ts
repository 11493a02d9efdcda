// Small helpers of strategy authoring: names, the new-file template, the YAML's own `name:`.

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function validStrategyName(name: string): boolean {
  return NAME.test(name) && !name.includes('..') && name.length <= 200;
}

/** `name:` at the top level of the text (what the header shows while editing), or null. */
export function nameInText(yaml: string): string | null {
  const m = /^name:\s*["']?([^"'\n#]+?)["']?\s*(#.*)?$/m.exec(yaml);
  return m ? m[1].trim() : null;
}

/** "minimal" → "minimal_copy", then "minimal_copy2"… (first one not taken). */
export function suggestCopyName(name: string, taken: readonly string[]): string {
  const set = new Set(taken);
  const base = `${name}_copy`;
  if (!set.has(base)) return base;
  for (let i = 2; ; i++) if (!set.has(`${base}${i}`)) return `${base}${i}`;
}

/** A small valid strategy to start from (one RSI fuzzy set, EURUSD 1h, a quick MLP). */
export const NEW_STRATEGY_TEMPLATE = (name: string) => `name: ${name}
version: "3.0"
description: ""

indicators:
  rsi_14:
    type: rsi
    period: 14

fuzzy_sets:
  rsi_momentum:
    indicator: rsi_14
    oversold: [0, 25, 40]
    neutral: [30, 50, 70]
    overbought: [60, 75, 100]

nn_inputs:
  - fuzzy_set: rsi_momentum
    timeframes: ["1h"]

model:
  type: mlp
  architecture:
    hidden_layers: [16]
    dropout: 0.2

decisions:
  output_format: classification

training:
  epochs: 10
  batch_size: 32
  learning_rate: 0.001

training_data:
  symbols:
    mode: single
    symbol: EURUSD
  timeframes:
    mode: single
    timeframe: "1h"
  history_required: 100
`;
