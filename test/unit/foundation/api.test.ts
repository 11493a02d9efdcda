import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { loadConfig } from '../../../src/main/config';
import { APP_VERSION } from '../../../src/shared/version';
import { memoryLogger } from '../../helpers/logs';
import pkg from '../../../package.json';

describe('REST foundation (in-process, fastify inject)', () => {
  let home: string;
  let app: App;
  const inject = (opts: InjectOptions) => app.api.inject({ ...opts, headers: { host: '127.0.0.1:8000', ...opts.headers } });

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ktrdr-api-'));
    app = await createApp({ config: loadConfig({ KTRDR_HOME: home, KTRDR_API_PORT: '0' }), log: memoryLogger('warn').log });
  });
  afterAll(async () => {
    await app.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('answers health with the package version', async () => {
    const res = await inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', version: APP_VERSION });
    expect(APP_VERSION).toBe(pkg.version);
  });

  it('refuses a foreign Host header (DNS rebinding) with 403', async () => {
    const res = await app.api.inject({ method: 'GET', url: '/api/v1/health', headers: { host: 'evil.example' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/localhost/);
    for (const host of ['localhost:8000', '127.0.0.1', '[::1]:8000']) {
      expect((await app.api.inject({ method: 'GET', url: '/api/v1/health', headers: { host } })).statusCode).toBe(200);
    }
  });

  it('refuses a foreign Origin (CSRF) with 403, other loopback origins included, and never sends CORS headers', async () => {
    const bad = await inject({ method: 'POST', url: '/api/v1/dummy/start', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, payload: '{}' });
    expect(bad.statusCode).toBe(403);
    const other = await inject({ method: 'GET', url: '/api/v1/health', headers: { origin: 'http://localhost:5173' } });
    expect(other.statusCode).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const plain = await inject({ method: 'GET', url: '/api/v1/health' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('accepts bodies only as JSON: text/plain gets 415', async () => {
    const res = await inject({ method: 'POST', url: '/api/v1/dummy/start', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toHaveProperty('detail');
  });

  it('answers malformed JSON with 400 and a JSON error, never a stack trace', async () => {
    const res = await inject({ method: 'POST', url: '/api/v1/dummy/start', headers: { 'content-type': 'application/json' }, payload: '{"iterations": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/Malformed JSON/);
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('rejects bodies over the size limit with 413', async () => {
    const small = await createApp({ config: loadConfig({ KTRDR_HOME: join(home, 'small'), KTRDR_API_PORT: '0', KTRDR_BODY_LIMIT: '100' }), log: memoryLogger('warn').log });
    try {
      const res = await small.api.inject({ method: 'POST', url: '/api/v1/dummy/start', headers: { host: '127.0.0.1', 'content-type': 'application/json' }, payload: JSON.stringify({ pad: 'x'.repeat(500) }) });
      expect(res.statusCode).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('answers request validation problems with 422 naming every field', async () => {
    const res = await inject({ method: 'GET', url: '/api/v1/operations?status=RUNNING&limit=0' });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.success).toBe(false);
    expect(body.error.code).toBe('VALIDATION_ERROR');
    const fields = body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['querystring.status', 'querystring.limit']));
    // KTRDR's `resuming` is a filter here (resumed operations still pending), not a 422.
    const resuming = await inject({ method: 'GET', url: '/api/v1/operations?status=resuming' });
    expect(resuming.statusCode).toBe(200);
    expect(resuming.json()).toMatchObject({ success: true, data: [], total_count: 0 });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await inject({ method: 'GET', url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().detail).toMatch(/Not found/);
  });

  it('serves a generated OpenAPI document and the docs page', async () => {
    const spec = (await inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/health', '/api/v1/operations', '/api/v1/operations/{operation_id}/metrics']));
    const docs = await inject({ method: 'GET', url: '/api/v1/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/html/);
  });
});
