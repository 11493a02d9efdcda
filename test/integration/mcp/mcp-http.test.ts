// `ktrdr mcp --http PORT`: Streamable HTTP on 127.0.0.1 with the REST listener's Host/Origin rules.
// Tools are listed without a workstation running (only their calls need it).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../helpers/server';

let proc: ChildProcess;
let endpoint = '';
const home = mkdtempSync(join(tmpdir(), 'ktrdr-mcp-http-'));

beforeAll(async () => {
  proc = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'index.ts'), '--url', 'http://127.0.0.1:9', 'mcp', '--home', home, '--http', '0'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ktrdr mcp --http did not start:\n${err}`)), 30_000);
    proc.stderr!.on('data', (d) => {
      err += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
}, 40_000);

afterAll(async () => {
  if (proc.exitCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  rmSync(home, { recursive: true, force: true });
});

describe('ktrdr mcp --http', () => {
  it('serves the same tools to the SDK client over Streamable HTTP; a tool whose server is down answers a tool error', async () => {
    const client = new Client({ name: 'http-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(endpoint)));
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('start_training');
    const r = (await client.callTool({ name: 'list_data_series', arguments: {} })) as { isError?: boolean; content: { text: string }[] };
    expect(r.isError).toBe(true);
    expect(r.content[0].text).toMatch(/Cannot reach the KTRDR server/);
    await client.close();
  });

  it('refuses foreign Host and Origin headers (DNS rebinding, cross-site pages)', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const port = new URL(endpoint).port;
    const { request } = await import('node:http');
    const send = (extra: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { ...headers, ...extra } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
    expect(await send({ host: 'evil.example:80' })).toBe(403);
    expect(await send({ origin: 'https://evil.example' })).toBe(403);
    expect(await send({})).toBe(200);
  });
});
