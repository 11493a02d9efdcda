// The result contract, one entry per kind of typed result. Producers validate with `validate` (the
// worker, the experiment scheduler, before they write); every reader parses with `parse` through
// `parseOperationResult` (older results are upgraded there, or refused with a message that says they
// are older). An entry's key is the operation type whose results it reads; a VARIANT of an operation
// type (the portfolio backtest: a `backtesting` operation whose result says `kind: "portfolio"`) has
// its own key and names the operation type and how to recognise its results (`variantOf`, `matches`),
// so readers switch on the contract key (`TypedResult.type`) and a single-symbol backtest keeps its
// shape. A new kind adds its module (version constant, schema, parse, validate), one line here and its
// presenter in PRESENTERS (present.ts): leaving the presenter out is a type error.
import type { z } from 'zod';
import type { OperationType } from '../operations';
import { ResultContractError } from './common';
import { BACKTEST_RESULT_VERSION, backtestResultSchema, parseBacktestResult, validateBacktestResult } from './backtest';
import { isPortfolioResult, parsePortfolioResult, PORTFOLIO_RESULT_VERSION, portfolioResultSchema, validatePortfolioResult } from './portfolio';
import { parseSweepResult, SWEEP_RESULT_VERSION, sweepResultSchema, validateSweepResult } from './sweep';
import { parseTrainingResult, TRAINING_RESULT_VERSION, trainingResultSchema, validateTrainingResult } from './training';
import { parseWalkForwardResult, validateWalkForwardResult, WALK_FORWARD_RESULT_VERSION, walkForwardResultSchema } from './walk-forward';

export * from './common';
export * from './backtest';
export * from './portfolio';
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
  /** A variant: the operation type whose results it reads, and which of them are its own. */
  variantOf?: OperationType;
  matches?(raw: unknown): boolean;
}

export const RESULT_CONTRACTS = {
  training: { kind: 'training', version: TRAINING_RESULT_VERSION, schema: trainingResultSchema, parse: parseTrainingResult, validate: validateTrainingResult },
  backtesting: { kind: 'backtest', version: BACKTEST_RESULT_VERSION, schema: backtestResultSchema, parse: parseBacktestResult, validate: validateBacktestResult },
  walk_forward: { kind: 'walk-forward', version: WALK_FORWARD_RESULT_VERSION, schema: walkForwardResultSchema, parse: parseWalkForwardResult, validate: validateWalkForwardResult },
  sweep: { kind: 'sweep', version: SWEEP_RESULT_VERSION, schema: sweepResultSchema, parse: parseSweepResult, validate: validateSweepResult },
  portfolio: {
    kind: 'portfolio backtest',
    version: PORTFOLIO_RESULT_VERSION,
    schema: portfolioResultSchema,
    parse: parsePortfolioResult,
    validate: validatePortfolioResult,
    variantOf: 'backtesting',
    matches: isPortfolioResult,
  },
} satisfies Record<string, ResultContract<unknown>>;

/** A contract key: an operation type with a typed result, or a variant of one ('portfolio'). */
export type ContractType = keyof typeof RESULT_CONTRACTS;
export type ResultOf<K extends ContractType> = ReturnType<(typeof RESULT_CONTRACTS)[K]['parse']>;

/** A parsed result with its contract key, so a reader can switch on `type` and get the right fields. */
export type TypedResult = { [K in ContractType]: { type: K; result: ResultOf<K> } }[ContractType];

const CONTRACT_LIST = Object.entries(RESULT_CONTRACTS) as [ContractType, ResultContract<unknown>][];

/** Whether results of operations of `type` have a contract. */
export function hasResultContract(type: string): boolean {
  return CONTRACT_LIST.some(([k, c]) => (c.variantOf ?? k) === type);
}

/** The contract that reads this result of an operation of `type`: a variant whose results these are, else the type's own; null without one. */
export function contractFor(type: string, raw: unknown): ContractType | null {
  const variant = CONTRACT_LIST.find(([, c]) => c.variantOf === type && c.matches?.(raw));
  if (variant) return variant[0];
  return CONTRACT_LIST.some(([k, c]) => k === type && !c.variantOf) ? (type as ContractType) : null;
}

/** The operation type whose results a contract reads ('portfolio' → 'backtesting'). */
export function operationTypeOf(key: ContractType): OperationType {
  const c: ResultContract<unknown> = RESULT_CONTRACTS[key];
  return c.variantOf ?? (key as OperationType);
}

/**
 * The one reader entry point: parses the result of an operation of `type` with its contract (older
 * versions upgraded or refused with a ResultContractError that says why); null for types without a
 * contract (data_load, dummy).
 */
export function parseOperationResult(type: string, raw: unknown): TypedResult | null {
  const key = contractFor(type, raw);
  if (!key) return null;
  return { type: key, result: RESULT_CONTRACTS[key].parse(raw) } as TypedResult;
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
