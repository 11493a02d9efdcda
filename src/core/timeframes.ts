// Timeframes live in shared (the CLI checks `--timeframes` before asking the server); core keeps its path.
export * from '../shared/timeframes';
