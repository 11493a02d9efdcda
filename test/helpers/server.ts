import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO = resolve(__dirname, '..', '..');

export interface TestServer {
  url: string;
  /** Base of the REST API: `${url}/api/v1`. */
  api: string;
  home: string;
  proc: ChildProcess;
  output(): string;
  /** Graceful stop (SIGTERM) and wait for exit. */
  stop(): Promise<void>;
  /** Hard kill (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

export interface StartOptions {
  home?: string;
  env?: Record<string, string>;
  /** Run the built bundle (out/main/cli.js) instead of the TypeScript sources. */
  built?: boolean;
  /** Remove the home directory on stop (default: only when this helper created it). */
  cleanup?: boolean;
  /** Working directory of the server (default: the repository). */
  cwd?: string;
  /** Start the server as the leader of its own process group (so a test can kill the whole group). */
  detached?: boolean;
}

/** Starts a real `ktrdr serve` process on a free port with its own data directory. */
export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'ktrdr-it-'));
  const cleanup = opts.cleanup ?? !opts.home;
  const cli = opts.built ? join(REPO, 'out', 'main', 'cli.js') : join(REPO, 'src', 'cli', 'index.ts');
  if (opts.built && !existsSync(cli)) throw new Error(`${cli} is missing: run "npx electron-vite build" (npm test does) first`);
  // tsx resolved from the repository, so that the server can run in any working directory.
  const tsx = pathToFileURL(require.resolve('tsx', { paths: [REPO] })).href;
  const args = opts.built ? [cli, 'serve', '--port', '0'] : ['--import', tsx, cli, 'serve', '--port', '0'];
  const proc = spawn(process.execPath, args, {
    cwd: opts.cwd ?? REPO,
    detached: opts.detached ?? false,
    env: { ...process.env, KTRDR_HOME: home, LOG_LEVEL: 'info', KTRDR_RENDERER_DIR: join(REPO, 'out', 'renderer'), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const finish = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
    if (cleanup && signal !== 'SIGKILL') rmSync(home, { recursive: true, force: true });
  };
  return { url, api: `${url}/api/v1`, home, proc, output: () => out, stop: () => finish('SIGTERM'), kill: () => finish('SIGKILL') };
}

export interface JsonResponse<T = any> {
  status: number;
  body: T;
}

export async function http<T = any>(method: string, url: string, body?: unknown): Promise<JsonResponse<T>> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // keep text
  }
  return { status: res.status, body: parsed as T };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Child processes of `pid` still alive (Linux /proc). */
export function childPids(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return kids;
}

export function openFdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Like http(), over a fresh connection closed after the answer (keeps descriptor counts meaningful). */
export function httpOnce<T = any>(method: string, url: string, body?: unknown): Promise<JsonResponse<T>> {
  return new Promise((resolveRes, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method, agent: false, headers: { connection: 'close', ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          // keep text
        }
        resolveRes({ status: res.statusCode ?? 0, body: parsed as T });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Job worker processes of a server (its other children, e.g. tsx's esbuild service, do not count). */
export function workerPids(serverPid: number): number[] {
  return childPids(serverPid).filter((pid) => {
    try {
      return /worker[./]|KTRDR_WORKER/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      return false;
    }
  });
}

const keepAliveAgent = new Agent({ keepAlive: true, maxSockets: 256 });

/** GET over a pooled keep-alive connection with node:http: lighter on the client than fetch (benchmarks). */
export function getKeepAlive(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolveRes, reject) => {
    const req = request(url, { agent: keepAliveAgent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolveRes({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}
