import type { AppConfig } from './config';
import type { Logger } from './logger';
import type { Db } from './store/database';
import type { OperationsService } from './operations/service';
import type { ExperimentScheduler } from './experiments/scheduler';
import type { BarStore } from '../infra/bars';
import type { ModelRegistry } from '../infra/models/registry';
import type { StrategyCatalog } from '../infra/strategies';
import type { ParsePool } from '../infra/threads/parse-pool';

/** Everything the routes and IPC handlers need, built once by the composition root (app.ts). */
export interface AppContext {
  config: AppConfig;
  log: Logger;
  db: Db;
  operations: OperationsService;
  /** Cached bars under <home>/data (seeded with the bundled samples on first start). */
  bars: BarStore;
  /** Strategy files: <home>/strategies first, then the bundled samples. */
  strategies: StrategyCatalog;
  /** Trained models under <home>/models. */
  models: ModelRegistry;
  /** Walk-forwards and sweeps: parent operations scheduling their children. */
  experiments?: ExperimentScheduler;
  /** Threads for CSV imports and large JSON bodies (absent: parsed on the event loop, in chunks). */
  parsePool?: ParsePool;
}
