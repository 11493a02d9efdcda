import type { AppConfig } from './config';
import type { Logger } from './logger';
import type { Db } from './store/database';
import type { OperationsService } from './operations/service';

/** Everything the routes and IPC handlers need, built once by the composition root (app.ts). */
export interface AppContext {
  config: AppConfig;
  log: Logger;
  db: Db;
  operations: OperationsService;
}
