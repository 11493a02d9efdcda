// Versioned schema migrations, applied in order at start-up inside one transaction each.
// Append new migrations at the end; never edit one that has shipped.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'operations',
    sql: `
      CREATE TABLE operations (
        operation_id      TEXT PRIMARY KEY,
        operation_type    TEXT NOT NULL,
        status            TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        started_at        TEXT,
        completed_at      TEXT,
        updated_at        TEXT NOT NULL,
        progress_json     TEXT NOT NULL,
        metadata_json     TEXT NOT NULL,
        error_message     TEXT,
        warnings_json     TEXT NOT NULL DEFAULT '[]',
        errors_json       TEXT NOT NULL DEFAULT '[]',
        result_summary_json TEXT,
        results_json      TEXT,
        cancel_reason     TEXT,
        cancelled_at      TEXT,
        worker_pid        INTEGER
      );
      CREATE INDEX operations_created ON operations (created_at DESC);
      CREATE INDEX operations_status ON operations (status);
      CREATE TABLE operation_metrics (
        operation_id TEXT NOT NULL REFERENCES operations(operation_id) ON DELETE CASCADE,
        seq          INTEGER NOT NULL,
        record_json  TEXT NOT NULL,
        PRIMARY KEY (operation_id, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    // Experiments (walk-forward, sweeps): children carry their parent's id (params_json keeps the job's
    // parameters so POST /operations/{id}/retry can start the same job again); the scheduler records
    // each slot's outcome once (PRIMARY KEY), so a resumed experiment never counts a child twice.
    version: 2,
    name: 'experiments',
    sql: `
      ALTER TABLE operations ADD COLUMN parent_id TEXT;
      ALTER TABLE operations ADD COLUMN params_json TEXT;
      CREATE INDEX operations_parent ON operations (parent_id, created_at);
      CREATE TABLE experiment_slots (
        parent_id   TEXT NOT NULL REFERENCES operations(operation_id) ON DELETE CASCADE,
        slot        TEXT NOT NULL,
        child_id    TEXT,
        status      TEXT NOT NULL,
        data_json   TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (parent_id, slot)
      ) WITHOUT ROWID;
    `,
  },
];
