// Browser-test harness: a real headless KTRDR server started from the sources (temp KTRDR_HOME,
// serving the built renderer) and a headless Debian chromium driven by playwright-core.
// It builds nothing: `npm test` runs `electron-vite build` first; run it yourself before
// `npx vitest run --project e2e`.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer as startTestServer } from '../helpers/server';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { expect } from 'vitest';

export const REPO = resolve(__dirname, '..', '..');
export const RENDERER_DIR = join(REPO, 'out', 'renderer');
export const OUTPUT_DIR = join(REPO, 'test-output', 'e2e');
export const CHROMIUM = process.env.KTRDR_CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Why browser tests cannot run here, or null when they can. Tests skip with this reason, printed. */
export function browserUnavailableReason(): string | null {
  if (!existsSync(CHROMIUM)) return `chromium not found at ${CHROMIUM} (install it with: apt-get install -y chromium)`;
  return null;
}

/** Fails loudly when the renderer was not built: the tests would otherwise test nothing. */
export function assertRendererBuilt(): void {
  if (!existsSync(join(RENDERER_DIR, 'index.html')))
    throw new Error(`The renderer is not built: ${join(RENDERER_DIR, 'index.html')} is missing. Run \`npx electron-vite build\` (npm test does it) before the e2e tests.`);
}

export interface Server {
  url: string;
  home: string;
  process: ChildProcess;
  /** Everything the server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `ktrdr serve --port 0` from the sources on its own data directory (the integration tests' helper). */
export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const s = await startTestServer({ env: { LOG_LEVEL: 'warn', KTRDR_RENDERER_DIR: RENDERER_DIR, ...env } });
  return { url: s.url, home: s.home, process: s.proc, output: s.output, stop: s.stop };
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every request the page made, in order (URL and time). */
  requests: { url: string; method: string; at: number }[];
  consoleErrors: string[];
  close(): Promise<void>;
}

/** Launches chromium with a fresh user-data-dir and opens one page that records its requests. */
export async function openBrowser(): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'ktrdr-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const browser = context.browser() as Browser;
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: BrowserSession['requests'] = [];
  const consoleErrors: string[] = [];
  page.on('request', (r: Request) => requests.push({ url: r.url(), method: r.method(), at: Date.now() }));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  return {
    browser,
    context,
    page,
    requests,
    consoleErrors,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** JSON request to the server under test (test setup, not the UI). */
export async function apiCall<T = any>(server: Pick<Server, 'url'>, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed as T };
}

/** Whether an endpoint answers at all (anything but the server's 404 for an unknown route). */
export async function endpointExists(server: Server, method: string, path: string, body?: unknown): Promise<boolean> {
  const r = await apiCall(server, method, path, body);
  return !(r.status === 404 && typeof (r.body as { detail?: string })?.detail === 'string' && (r.body as { detail: string }).detail.startsWith('Not found: '));
}

export async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Polls an operation through the API until it is completed, failed or cancelled; returns its last reading. */
export async function waitOperationEnd(server: Pick<Server, 'url'>, id: string, timeoutMs: number, what = `operation ${id}`): Promise<any> {
  let op: any = null;
  await waitFor(
    async () => {
      op = (await apiCall(server, 'GET', `/operations/${id}`)).body.data;
      return ['completed', 'failed', 'cancelled'].includes(op.status);
    },
    timeoutMs,
    what,
  );
  return op;
}

/** Starts an operation through the API and waits for it to end; it must complete without an error. */
export async function runToEnd(server: Pick<Server, 'url' | 'output'>, path: string, body: Record<string, unknown>): Promise<{ id: string; results: any }> {
  const start = await apiCall(server, 'POST', path, body);
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  const opId = ((start.body as any).operation_id ?? (start.body as any).task_id) as string;
  const op = await waitOperationEnd(server, opId, 150_000);
  expect(op.error_message, server.output()).toBeNull();
  return { id: opId, results: (await apiCall(server, 'GET', `/operations/${opId}/results`)).body.results };
}

type CmHost = HTMLElement & { cmView: { state: { doc: { toString(): string; length: number } }; dispatch(t: unknown): void } };

/** The strategy editor's text (CodeMirror is a contenteditable: read through its view). */
export const editorText = (page: Page) => page.getByTestId('yaml-editor').evaluate((el) => (el as CmHost).cmView.state.doc.toString());

/** Replaces the strategy editor's text as typing would (one transaction through its view). */
export const setEditorText = (page: Page, text: string) =>
  page.getByTestId('yaml-editor').evaluate((el, t) => {
    const v = (el as CmHost).cmView;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } });
  }, text);
