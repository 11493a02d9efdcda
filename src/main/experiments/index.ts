// Wiring of the experiment scheduler (the composition root calls this once).
import type { Logger } from '../logger';
import type { OperationsRepository } from '../operations/repository';
import type { OperationsService } from '../operations/service';
import type { Db } from '../store/database';
import { ExperimentScheduler } from './scheduler';
import { ExperimentSlots } from './slot-store';
import { sweepKind } from './sweep';
import { walkForwardKind } from './walk-forward';

export function createExperimentScheduler(o: { operations: OperationsService; repo: OperationsRepository; db: Db; home: string; log: Logger }): ExperimentScheduler {
  // The sweep writes each trial's strategy file through the scheduler (which owns the experiment folder).
  let scheduler: ExperimentScheduler | null = null;
  const kinds = { walk_forward: walkForwardKind, sweep: sweepKind((parentId, name, text) => scheduler!.writeFile(parentId, name, text)) };
  scheduler = new ExperimentScheduler({ operations: o.operations, repo: o.repo, slots: new ExperimentSlots(o.db), kinds, home: o.home, log: o.log });
  return scheduler;
}
