import { createApp, type App } from './app';
import { loadConfig, type AppConfig } from './config';
import { createLogger } from './logger';

/** `ktrdr serve`: the main process without a window. Stops cleanly on SIGINT/SIGTERM. */
export async function serveHeadless(overrides: Partial<AppConfig> = {}): Promise<App> {
  const config = loadConfig(process.env, overrides);
  const log = createLogger(config.logLevel);
  const app = await createApp({ config, log, serveRenderer: true });
  let url: string;
  try {
    url = await app.listen();
  } catch (err) {
    await app.close();
    throw err;
  }
  log.info({ url, home: config.home }, 'KTRDR server listening');
  process.stdout.write(`KTRDR server listening on ${url} (UI: ${url}/, API docs: ${url}/api/v1/docs, data: ${config.home})\n`);
  const stop = async (signal: string) => {
    log.info(`Received ${signal}, shutting down`);
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return app;
}
