// The result contract, one entry per operation type that has a typed result. Producers validate with
// `validate` (the worker, the experiment scheduler, before they write); every reader parses with
// `parse` through `parseOperationResult` (older results are upgraded there, or refused with a message
// that says they are older). A new kind adds its module (version constant, schema, parse, validate),
// one line here and its presenter in PRESENTERS (present.ts): leaving the presenter out is a type error.
import type { z } from 'zod';
import type { OperationType } from '../operations';
import { ResultContractError } from './common';
import { BACKTEST_RESULT_VERSION, backtestResultSchema, parseBacktestResult, validateBacktestResult } from './backtest';
import { parseSweepResult, SWEEP_RESULT_VERSION, sweepResultSchema, validateSweepResult } from './sweep';
import { parseTrainingResult, TRAINING_RESULT_VERSION, trainingResultSchema, validateTrainingResult } from './training';
import { parseWalkForwardResult, validateWalkForwardResult, WALK_FORWARD_RESULT_VERSION, walkForwardResultSchema } from './walk-forward';

export * from './common';
export * from './backtest';
export * from './training';
export * from './envelope';
export * from './experiment-parts';
export * from './splits';
export * from './walk-forward';
export * from './sweep';

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
  walk_forward: { kind: 'walk-forward', version: WALK_FORWARD_RESULT_VERSION, schema: walkForwardResultSchema, parse: parseWalkForwardResult, validate: validateWalkForwardResult },
  sweep: { kind: 'sweep', version: SWEEP_RESULT_VERSION, schema: sweepResultSchema, parse: parseSweepResult, validate: validateSweepResult },
} satisfies Partial<{ [K in OperationType]: ResultContract<unknown> }>;

export type ContractType = keyof typeof RESULT_CONTRACTS;
export type ResultOf<K extends ContractType> = ReturnType<(typeof RESULT_CONTRACTS)[K]['parse']>;

/** A parsed result with its type, so a reader can switch on `type` and get the right fields. */
export type TypedResult = { [K in ContractType]: { type: K; result: ResultOf<K> } }[ContractType];

export function hasResultContract(type: string): type is ContractType {
  return Object.prototype.hasOwnProperty.call(RESULT_CONTRACTS, type);
}

/**
 * The one reader entry point: parses the result of an operation of `type` with its contract (older
 * versions upgraded or refused with a ResultContractError that says why); null for types without a
 * contract (data_load, dummy).
 */
export function parseOperationResult(type: string, raw: unknown): TypedResult | null {
  if (!hasResultContract(type)) return null;
  return { type, result: RESULT_CONTRACTS[type].parse(raw) } as TypedResult;
}

/** What a reader can show of a stored result: the parsed result, nothing yet, or why it cannot be read. */
export type ReadResult = { status: 'parsed'; typed: TypedResult } | { status: 'none' } | { status: 'unreadable'; message: string };

/**
 * `parseOperationResult` for readers that show a message instead of failing: no result yet (null,
 * or a type without a contract) is 'none'; a result that does not match its contract is 'unreadable'
 * with the contract's message (an older version, or the fields that are wrong). Never a guess.
 */
export function readOperationResult(type: string, raw: unknown): ReadResult {
  if (raw === null || raw === undefined) return { status: 'none' };
  try {
    const typed = parseOperationResult(type, raw);
    return typed ? { status: 'parsed', typed } : { status: 'none' };
  } catch (err) {
    if (err instanceof ResultContractError) return { status: 'unreadable', message: err.message };
    throw err;
  }
}

export * from './present';
export * from './present-experiments';
export * from './ktrdr';
