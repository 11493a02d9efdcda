import { CsvProvider } from './csv-provider';
import { DukascopyProvider } from './dukascopy-provider';
import { IbProvider, ibOptionsFromEnv } from './ib-provider';
import { SyntheticProvider } from './synthetic-provider';
import type { BarProvider } from './types';

export { ProviderError, type BarProvider, type CancelSignal, type FetchProgress, type FetchRequest } from './types';

export const PROVIDER_IDS = ['csv', 'synthetic', 'dukascopy', 'ib'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export interface ProviderParams {
  /** csv: folder or file. */
  dir?: string;
  path?: string;
  timezone?: string;
  /** synthetic: random seed. */
  seed?: number;
  /** ib: connection. */
  host?: string;
  port?: number;
  client_id?: number;
  /** dukascopy / ib: how long to wait before failing. */
  timeout_ms?: number;
}

/** Builds a provider from its id and the job's parameters (env supplies IB_HOST/IB_PORT/IB_CLIENT_ID). */
export function createProvider(id: ProviderId, p: ProviderParams = {}, env: NodeJS.ProcessEnv = process.env): BarProvider {
  switch (id) {
    case 'csv':
      return new CsvProvider({ dir: p.dir, path: p.path, timezone: p.timezone });
    case 'synthetic':
      return new SyntheticProvider(p.seed ?? 42);
    case 'dukascopy':
      return new DukascopyProvider({ timeoutMs: p.timeout_ms });
    case 'ib':
      return new IbProvider({ ...ibOptionsFromEnv(env, { host: p.host, port: p.port, clientId: p.client_id }), connectTimeoutMs: p.timeout_ms });
  }
}
