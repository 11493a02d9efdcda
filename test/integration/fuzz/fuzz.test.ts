// Issue #17 fuzz suite: hostile requests generated from the OpenAPI document for every route
// (types, sizes, encodings, dates, paths, nesting; seeded). Every answer: no 5xx, in the error
// envelope, under a second; /health keeps answering while they run; nothing outside KTRDR_HOME
// is touched (a canary folder that hostile paths point at, and the server's working directory).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, waitFor, workerPids, type TestServer } from '../../helpers/server';
import { budgetMs, eventLoop, inEnvelope, loadFactor, rawRequest, type RawRequest } from '../reliability/hostile';

const SEED = Number(process.env.FUZZ_SEED) || 20261201;
const SECONDS = Number(process.env.FUZZ_SECONDS) || 45;
// Goals: answers < 1 s, /health < 100 ms; scaled by the machine's load factor (see hostile.ts).
const ANSWER_GOAL_MS = 1000;
const HEALTH_GOAL_MS = 100;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with FUZZ_SEED. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)], chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

let canary: string;
let cwd: string;
const nest = (depth: number, leaf: unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

function hostileStrings(): string[] {
  return [
    '', ' ', '\u0000', 'a\u0000b', '%00', '%', '%E0%A4%A', '..', '../../../../etc/passwd', '/etc/passwd', '/proc/self/environ', '/dev/zero', '/dev/urandom',
    join(canary, 'bars.csv'), join(canary, 'bars.csv.gz'), canary, `${canary}/../${canary.split('/').pop()}/bars.csv`, 'C:\\Windows\\win.ini', '\\\\server\\share',
    '2020-02-30', '2021-02-29', '-1', '0', '1e20', '-1e20', '8640000000000001', '1577836800000000000', '1577836800000000', '2020-01-01T00:00:00+99:99', '2020-01-01T25:00:00Z', '9999-12-31', '0000-01-01', '+275760-09-13',
    'a: ' + '{'.repeat(350), 'a: ' + '['.repeat(2000), '*a', '&a [*a]', 'x'.repeat(70_000), '😀'.repeat(500), '\u202e\u0301', '<script>alert(1)</script>', "'; DROP TABLE operations; --",
    '__proto__', 'constructor', 'EURUSD', 'eurusd', 'AAPL', '1d', '1h', '0m', '999999w', 'NaN', 'Infinity', 'null', 'true', '{}', '[]', '\r\nX-Injected: 1', 'America/New_York', 'Mars/Base', 'UTC', '',
    'neuro_mean_reversion', 'models/neuro_mean_reversion/1d_v1', 'models/../../etc', 'op_dummy_20260101_000000_deadbeef',
  ];
}

function hostileValue(r: Rng): unknown {
  const kinds = [
    () => r.pick(hostileStrings()),
    () => r.pick([0, -1, 1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 1, 8.64e15 + 1, 1e20, -1e20, Number.MAX_SAFE_INTEGER, 4294967296]),
    () => r.pick([null, true, false]),
    () => [],
    () => ({}),
    () => nest(r.pick([10, 200, 3000]), 1),
    () => Array.from({ length: r.pick([1000, 50_000]) }, (_, i) => i),
    () => JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'),
    () => Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i])),
    () => [r.pick(hostileStrings()), 1e20, null],
  ];
  return r.pick(kinds)();
}

/** A value for a JSON schema: mostly well-typed (to reach deep code), often hostile. */
function gen(schema: any, r: Rng, depth = 0): unknown {
  if (!schema || depth > 6 || r.chance(0.15)) return hostileValue(r);
  if (schema.anyOf || schema.oneOf) return gen(r.pick(schema.anyOf ?? schema.oneOf), r, depth + 1);
  if (schema.enum) return r.chance(0.8) ? r.pick(schema.enum) : r.pick(hostileStrings());
  if (schema.const !== undefined) return schema.const;
  const type = Array.isArray(schema.type) ? r.pick(schema.type) : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries<any>(schema.properties ?? {})) {
        if ((schema.required ?? []).includes(k) || r.chance(0.6)) out[k] = gen(v, r, depth + 1);
      }
      if (r.chance(0.1)) out[r.pick(['extra', '__proto__', 'constructor'])] = hostileValue(r);
      return out;
    }
    case 'array':
      return Array.from({ length: r.pick([0, 1, 2, 5, 60]) }, () => gen(schema.items, r, depth + 1));
    case 'string': {
      const named = r.pick(hostileStrings());
      if (schema.format === 'date' || schema.format === 'date-time') return r.pick(['2023-01-01', '2020-02-30', '-1', '1577836800000000000', named]);
      return named;
    }
    case 'integer':
      return r.pick([0, 1, 5, -1, 2 ** 31, 1e15, schema.minimum ?? 0, schema.maximum ?? 10]);
    case 'number':
      return r.pick([0, 0.5, -1, 1e308, 1e20, schema.minimum ?? 0]);
    case 'boolean':
      return r.chance(0.5);
    default:
      return hostileValue(r);
  }
}

interface Route {
  method: string;
  path: string;
  params: string[];
  query: Array<{ name: string; schema: any }>;
  body: any | null;
}

function routesOf(doc: any): Route[] {
  const out: Route[] = [];
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      const params = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
      const query = (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => ({ name: p.name, schema: p.schema }));
      const body = op.requestBody?.content?.['application/json']?.schema ?? null;
      out.push({ method: method.toUpperCase(), path, params, query, body });
    }
  }
  return out;
}

function encodeSegment(v: unknown, r: Rng): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? 'x';
  if (r.chance(0.15)) return r.pick(['%E0%A4%A', '%', '..%2F..%2Fetc%2Fpasswd', '%00', 'A'.repeat(r.pick([101, 5000])), '%2e%2e', '..']);
  return encodeURIComponent(s.slice(0, r.pick([40, 200, 3000])));
}

/** One hostile request for a route. */
function hostileRequest(route: Route, r: Rng): RawRequest {
  let path = `${route.path}`;
  for (const p of route.params) path = path.replace(`{${p}}`, encodeSegment(r.chance(0.5) ? r.pick(['EURUSD', '1d', '1h', 'neuro_mean_reversion']) : r.pick(hostileStrings()), r));
  const qs: string[] = [];
  for (const q of route.query) if (r.chance(0.6)) qs.push(`${encodeURIComponent(q.name)}=${encodeSegment(gen(q.schema, r), r)}`);
  if (r.chance(0.1)) qs.push(`${r.pick(['limit', 'cursor', 'page', 'x'])}=${r.pick(['1', '-1', '1e400', '%zz', ''])}`, 'limit=1&limit=2');
  if (qs.length) path += `?${qs.join('&')}`;
  const headers: Record<string, string> = {};
  if (r.chance(0.05)) headers.origin = r.pick(['http://localhost:1', 'null', 'https://evil.example', 'file://']);
  if (r.chance(0.05)) headers['x-forwarded-host'] = 'evil.example';
  const req: RawRequest = { method: route.method, path, headers, timeoutMs: 5000 };
  if (route.method === 'GET' || route.method === 'DELETE') {
    if (r.chance(0.05)) req.body = JSON.stringify(hostileValue(r));
    return req;
  }
  const roll = r.next();
  if (roll < 0.06) req.body = r.pick(['{"a":', '{"a":1}}', '\u0000', '[', 'null', '1e999', '"x"', '{"a":NaN}', '\ufeff{}']);
  else if (roll < 0.09) {
    req.body = 'symbol=X';
    headers['content-type'] = r.pick(['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=utf-7']);
  } else if (roll < 0.11) {
    req.body = JSON.stringify(gen(route.body, r));
    headers['content-encoding'] = r.pick(['gzip', 'deflate', 'br']);
  } else req.body = JSON.stringify(route.body ? gen(route.body, r) : hostileValue(r)) ?? 'null';
  return req;
}

interface Snapshot {
  [path: string]: string;
}
function snapshot(dir: string): Snapshot {
  const out: Snapshot = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out[p] = `${st.size}:${st.mtimeMs}:${readFileSync(p).toString('base64').slice(0, 64)}`;
      }
    }
  };
  walk(dir);
  return out;
}

let server: TestServer;
let before: Snapshot;

beforeAll(async () => {
  canary = mkdtempSync(join(tmpdir(), 'ktrdr-canary-'));
  cwd = mkdtempSync(join(tmpdir(), 'ktrdr-fuzz-cwd-'));
  writeFileSync(join(canary, 'bars.csv'), 'timestamp,open,high,low,close,volume\n2020-01-01T00:00:00Z,1,1,1,1,1\n');
  writeFileSync(join(canary, 'bars.csv.gz'), 'not gzip');
  mkdirSync(join(canary, 'sub'));
  writeFileSync(join(canary, 'sub', 'EURUSD_1d.csv'), 'timestamp,open,high,low,close,volume\n');
  before = snapshot(canary);
  server = await startServer({ cwd, env: { KTRDR_TEST_MODE: '1', KTRDR_MAX_WORKERS: '2', KTRDR_CANCEL_GRACE: '1' } });
});

afterAll(async () => {
  if (server) {
    // Operations the fuzzer happened to start valid are cancelled, then the server stops.
    await server.stop();
  }
  rmSync(canary, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

describe('fuzz: hostile requests for every route', () => {
  it(`answers every one in the envelope, under a second, never 5xx, /health unaffected (seed ${SEED}, ~${SECONDS} s)`, async () => {
    const doc = (await rawRequest(server.url, { method: 'GET', path: '/api/v1/openapi.json' })).json;
    const routes = routesOf(doc).filter((r) => !r.path.includes('/debug/'));
    expect(routes.length).toBeGreaterThan(20);
    const r = rng(SEED);
    // Warm-up (not measured): one benign request per GET route, so first-call JIT/lazy work is not counted.
    for (const route of routes.filter((x) => x.method === 'GET' && x.params.length === 0)) await rawRequest(server.url, { method: 'GET', path: route.path });
    await eventLoop(server.url, true);

    let healthMax = 0;
    let healthPings = 0;
    let stop = false;
    const pinger = (async () => {
      while (!stop) {
        const t0 = performance.now();
        const res = await rawRequest(server.url, { method: 'GET', path: '/api/v1/health', timeoutMs: 5000 }).catch(() => null);
        healthMax = Math.max(healthMax, performance.now() - t0);
        healthPings++;
        expect(res?.status).toBe(200);
        await new Promise((res2) => setTimeout(res2, 25));
      }
    })();

    const failures: string[] = [];
    const perRoute = new Map<string, number>();
    let requests = 0;
    let fiveXX = 0;
    let notImplemented = 0;
    let slowest = { ms: 0, what: '' };
    const end = Date.now() + SECONDS * 1000;
    const ANSWER_LIMIT_MS = budgetMs(ANSWER_GOAL_MS);
    const HEALTH_LIMIT_MS = budgetMs(HEALTH_GOAL_MS);
    const factor = loadFactor();
    // Round-robin over the routes so each gets its share, random within.
    for (let i = 0; Date.now() < end; i++) {
      const route = routes[i % routes.length];
      const req = hostileRequest(route, r);
      const label = `${req.method} ${req.path.slice(0, 120)} ${typeof req.body === 'string' ? req.body.slice(0, 120) : ''}`;
      let res;
      try {
        res = await rawRequest(server.url, req);
      } catch (err) {
        failures.push(`no answer: ${label}: ${(err as Error).message}`);
        continue;
      }
      requests++;
      perRoute.set(`${route.method} ${route.path}`, (perRoute.get(`${route.method} ${route.path}`) ?? 0) + 1);
      if (res.ms > slowest.ms) slowest = { ms: res.ms, what: label };
      if (res.ms > 150 && process.env.FUZZ_VERBOSE) console.log(`[fuzz] ${res.ms.toFixed(0)} ms ${res.status} ${label.slice(0, 160)}`);
      // 501 is a deliberate answer of the KTRDR routes this product does not offer (docs/design-notes.md,
      // "KTRDR route table"): in the envelope and naming what to use instead. Any other 5xx is a failure.
      if (res.status === 501 && inEnvelope(res)) notImplemented++;
      else if (res.status >= 500) {
        fiveXX++;
        failures.push(`${res.status}: ${label} → ${res.text.slice(0, 200)}`);
      } else if (!inEnvelope(res)) failures.push(`not in the envelope (${res.status}): ${label} → ${res.text.slice(0, 200)}`);
      else if (res.ms > ANSWER_LIMIT_MS) failures.push(`slow (${res.ms.toFixed(0)} ms): ${label}`);
    }
    stop = true;
    await pinger;
    const loop = await eventLoop(server.url);
    const after = snapshot(canary);
    const cwdEntries = readdirSync(cwd);
    console.log(
      `[fuzz] seed ${SEED}: ${requests} requests over ${routes.length} routes (min ${Math.min(...perRoute.values())} per route), 5xx ${fiveXX} (and ${notImplemented} deliberate 501s), ` +
        `slowest ${slowest.ms.toFixed(0)} ms (${slowest.what.slice(0, 100)}), /health worst ${healthMax.toFixed(0)} ms over ${healthPings} pings, ` +
        `worst event-loop delay ${loop.max_ms.toFixed(1)} ms (p99 ${loop.p99_ms.toFixed(1)} ms); machine load factor ${factor.toFixed(1)} → budgets ${ANSWER_LIMIT_MS}/${HEALTH_LIMIT_MS} ms`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(fiveXX).toBe(0);
    expect(perRoute.size).toBe(routes.length);
    expect(healthMax).toBeLessThan(HEALTH_LIMIT_MS);
    expect(after).toEqual(before);
    expect(cwdEntries).toEqual([]);
    // Jobs the fuzz managed to start may still run: once they are cancelled, no worker process is left.
    const ops = (await (await fetch(`${server.api}/operations?active_only=true&limit=1000`)).json()) as { data: Array<{ operation_id: string; status: string }> };
    for (const o of ops.data.filter((x) => x.status === 'running' || x.status === 'pending')) await fetch(`${server.api}/operations/${o.operation_id}`, { method: 'DELETE' });
    // Job workers only (from sources, tsx also keeps an esbuild service process as a child).
    await waitFor(async () => workerPids(server.proc.pid!).length === 0, 20_000).catch(() => undefined);
    const left = workerPids(server.proc.pid!).map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return `${pid} ${stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 120)} ${readFileSync(`/proc/${pid}/environ`, 'utf8').match(/KTRDR_OPERATION_ID=[^\0]*/)?.[0] ?? ''}`;
      } catch {
        return `${pid} gone`;
      }
    });
    expect(left, `${JSON.stringify(ops.data.map((o) => [o.operation_id, o.status]))}`).toEqual([]);
  }, 300_000);
});
