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

/**
 * The text with its top-level `name:` set to `name` (added first when it has none): a strategy saved
 * under a new file name carries that name inside, so lists, runs and models agree with the file.
 */
export function withName(yaml: string, name: string): string {
  const line = `name: ${name}`;
  if (/^name:[^\n]*$/m.test(yaml)) return yaml.replace(/^name:[^\n]*$/m, line);
  return `${line}\n${yaml}`;
}

/** Why `name` cannot name a new strategy file, or null when it can. */
export function newNameProblem(raw: string, taken: readonly string[]): string | null {
  const name = raw.trim().replace(/\.ya?ml$/i, '');
  if (!name) return 'Give a name';
  if (!validStrategyName(name)) return `'${raw.trim()}' is not a valid name: letters, digits, '_', '.' and '-' only`;
  if (taken.includes(name)) return `A strategy named '${name}' already exists: choose another name`;
  return null;
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
