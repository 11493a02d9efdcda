export {
  StrategyCatalog,
  findBundledStrategiesDir,
  checkStrategyName,
  InvalidStrategyNameError,
  StrategyValidationFailedError,
  StrategyNotDeletableError,
  deleteUserStrategy,
  STRATEGY_NAME_RE,
  type StrategySummary,
  type LoadedStrategy,
} from './catalog';
