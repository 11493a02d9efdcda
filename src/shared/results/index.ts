// The result contract, one entry per operation type that has a typed result. Producers validate with
// `validate` (the worker, before it writes); every reader parses with `parse` (older results are
// upgraded there). A new kind (walk_forward.ts, sweep.ts) adds its module and one line here:
//
//   walk_forward: { kind: 'walk-forward', version: WALK_FORWARD_RESULT_VERSION, schema: walkForwardResultSchema,
//                   parse: parseWalkForwardResult, validate: validateWalkForwardResult },
//
// and its presenter (present.ts) so that every reader shows its metrics the same way.
import type { z } from 'zod';
import type { OperationType } from '../operations';
import { BACKTEST_RESULT_VERSION, backtestResultSchema, parseBacktestResult, validateBacktestResult } from './backtest';
import { parseTrainingResult, TRAINING_RESULT_VERSION, trainingResultSchema, validateTrainingResult } from './training';

export * from './common';
export * from './backtest';
export * from './training';
export * from './envelope';

export interface ResultContract<T> {
  /** Name in messages ("backtest result does not match…"). */
  kind: string;
  version: number;
  schema: z.ZodType<T>;
  /** Reader side: older versions upgraded, anything else a ResultContractError naming the fields. */
  parse(raw: unknown): T;
  /** Producer side: also refuses fields the schema does not declare. */
  validate(value: unknown): T;
}

export const RESULT_CONTRACTS = {
  training: { kind: 'training', version: TRAINING_RESULT_VERSION, schema: trainingResultSchema, parse: parseTrainingResult, validate: validateTrainingResult },
  backtesting: { kind: 'backtest', version: BACKTEST_RESULT_VERSION, schema: backtestResultSchema, parse: parseBacktestResult, validate: validateBacktestResult },
} satisfies Partial<{ [K in OperationType]: ResultContract<unknown> }>;

export type ContractType = keyof typeof RESULT_CONTRACTS;
export type ResultOf<K extends ContractType> = ReturnType<(typeof RESULT_CONTRACTS)[K]['parse']>;

/** A parsed result with its type, so a reader can switch on `type` and get the right fields. */
export type TypedResult = { [K in ContractType]: { type: K; result: ResultOf<K> } }[ContractType];

export function hasResultContract(type: string): type is ContractType {
  return Object.prototype.hasOwnProperty.call(RESULT_CONTRACTS, type);
}

/** Parses the result of an operation of `type`; null for types without a contract (data_load, dummy). */
export function parseOperationResult(type: string, raw: unknown): TypedResult | null {
  if (!hasResultContract(type)) return null;
  return { type, result: RESULT_CONTRACTS[type].parse(raw) } as TypedResult;
}

export * from './present';
export * from './ktrdr';
