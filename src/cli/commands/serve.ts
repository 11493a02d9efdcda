import type { Command } from 'commander';
import { ConfigError } from '../../main/config';
import { HomeLockedError } from '../../main/home-lock';
import { serveHeadless } from '../../main/headless';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the KTRDR server headless: REST API on 127.0.0.1 and the UI as a web page')
    .option('-p, --port <port>', 'port to listen on (env KTRDR_API_PORT, default 8000)')
    .option('--home <dir>', 'data directory (env KTRDR_HOME, default ~/.ktrdr)')
    .option('--redis <url>', 'scale-out mode: run jobs on `ktrdr worker`s through this Redis (env KTRDR_REDIS_URL)')
    .action(async (opts: { port?: string; home?: string; redis?: string }) => {
      if (opts.port !== undefined) process.env.KTRDR_API_PORT = opts.port;
      if (opts.redis !== undefined) process.env.KTRDR_REDIS_URL = opts.redis;
      if (opts.home !== undefined) process.env.KTRDR_HOME = opts.home;
      try {
        await serveHeadless();
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (err instanceof HomeLockedError || err instanceof ConfigError) {
          process.stderr.write(`ktrdr serve: ${e.message}\n`);
          process.exit(2);
        }
        if (e.code === 'EADDRINUSE') {
          process.stderr.write(`ktrdr serve: port ${process.env.KTRDR_API_PORT ?? 8000} is already in use; set KTRDR_API_PORT or --port to another port\n`);
          process.exit(2);
        }
        throw err;
      }
    });
}
