export {
  StrategyCatalog,
  findBundledStrategiesDir,
  checkStrategyName,
  InvalidStrategyNameError,
  StrategyValidationFailedError,
  STRATEGY_NAME_RE,
  type StrategySummary,
  type LoadedStrategy,
} from './catalog';
