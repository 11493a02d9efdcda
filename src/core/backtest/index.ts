// The backtest engine: decision rules, the bar loop, metrics. Pure and deterministic.
export * from './decisions';
export * from './types';
export * from './engine';
export * from './metrics';
export * from './downsample';
export { TradeLog } from './trade-log';
export * from './dates';
