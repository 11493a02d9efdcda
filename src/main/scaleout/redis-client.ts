// A small Redis (RESP2) client implementing BullMQ's IRedisClient, used when the `ioredis` package is
// not installed (BullMQ 6 made its driver an optional peer dependency and this checkout has none).
// When `ioredis` can be loaded, BullMQ uses it and this client only carries KTRDR's own keys
// (blobs, heartbeats, cancel flags). It does what BullMQ needs and no more: pipelining, MULTI/EXEC,
// Lua scripts (EVALSHA with EVAL fallback), AUTH (user/password), TLS (rediss://), SELECT, and
// reconnection with back-off (Redis restarted → commands resume; scripts are reloaded lazily).
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';

export interface MiniRedisOptions {
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: boolean | Record<string, unknown>;
  /** false: commands issued while disconnected fail at once (producers); default true: they wait. */
  enableOfflineQueue?: boolean;
  /** Delay before reconnect attempt `times` (ms); null stops reconnecting. */
  retryStrategy?: (times: number) => number | null;
  connectTimeout?: number;
  [key: string]: unknown;
}

export class RedisReplyError extends Error {}

type Arg = string | number | Buffer | null | undefined | boolean;
interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  buffers: boolean;
  /** Replies swallowed (MULTI's +OK / +QUEUED). */
  silent?: boolean;
}

/** Parses redis:// and rediss:// URLs (rediss = TLS); the password may be URL-encoded. */
export function parseRedisUrl(url: string): MiniRedisOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`Not a Redis URL (redis:// or rediss://): ${redactRedisUrl(url)}`);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    // SNI needs a host name; an IP address is verified against the certificate's IP entries.
    ...(u.protocol === 'rediss:' ? { tls: isIP(u.hostname) ? {} : { servername: u.hostname } } : {}),
  };
}

/** The URL with its password replaced, for logs and error messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_m, cred: string) => `//${cred.includes(':') ? `${cred.split(':')[0]}:***` : '***'}@`);
}

function encode(args: Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a === null || a === undefined ? '' : String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

const INCOMPLETE = Symbol('incomplete');

/** One RESP2 value at `pos`, or INCOMPLETE. Bulk strings are Buffers; callers decode. */
function parseAt(buf: Buffer, pos: number): { value: unknown; next: number } | typeof INCOMPLETE {
  if (pos >= buf.length) return INCOMPLETE;
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return INCOMPLETE;
  const type = buf[pos];
  const line = buf.toString('utf8', pos + 1, eol);
  const after = eol + 2;
  switch (type) {
    case 0x2b: // +
      return { value: line, next: after };
    case 0x2d: // -
      return { value: new RedisReplyError(line), next: after };
    case 0x3a: // :
      return { value: Number(line), next: after };
    case 0x24: {
      // $
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return INCOMPLETE;
      return { value: buf.subarray(after, after + len), next: after + len + 2 };
    }
    case 0x2a: {
      // *
      const n = Number(line);
      if (n < 0) return { value: null, next: after };
      const out: unknown[] = new Array(n);
      let p = after;
      for (let i = 0; i < n; i++) {
        const r = parseAt(buf, p);
        if (r === INCOMPLETE) return INCOMPLETE;
        out[i] = r.value;
        p = r.next;
      }
      return { value: out, next: p };
    }
    default:
      throw new Error(`Redis protocol error: unexpected byte ${type}`);
  }
}

function decode(v: unknown, buffers: boolean): unknown {
  if (Buffer.isBuffer(v)) return buffers ? v : v.toString('utf8');
  if (Array.isArray(v)) return v.map((x) => decode(x, buffers));
  return v;
}

function flatten(args: unknown[]): Arg[] {
  const out: Arg[] = [];
  for (const a of args) {
    if (Array.isArray(a)) out.push(...flatten(a));
    else out.push(a as Arg);
  }
  return out;
}

function pairsToObject(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = v[i + 1] as string;
  return out;
}

interface Script {
  numberOfKeys: number;
  lua: string;
  sha: string;
}

export class MiniRedis extends EventEmitter {
  readonly __bullmq_iredis = true;
  readonly isCluster = false;
  status = 'wait';
  readonly options: MiniRedisOptions;
  private socket: Socket | null = null;
  private readonly pending: Pending[] = [];
  private offline: Array<{ bytes: Buffer; entries: Pending[] }> = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private attempts = 0;
  private manualClose = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly scripts = new Map<string, Script>();
  /** Scripts known to be cached by the server this connection talks to (reset on reconnect). */
  private loaded = new Set<string>();
  /** Channels this connection listens to (a subscriber connection runs no other commands). */
  private readonly channels = new Set<string>();

  constructor(opts: MiniRedisOptions | string = {}) {
    super();
    const o = typeof opts === 'string' ? { url: opts } : { ...opts };
    this.options = o.url ? { ...o, ...parseRedisUrl(o.url) } : o;
    // A private CA for rediss:// (KTRDR_REDIS_TLS_CA=/path/ca.pem); otherwise the system's CAs.
    const ca = process.env.KTRDR_REDIS_TLS_CA;
    if (this.options.tls && ca && !(typeof this.options.tls === 'object' && 'ca' in this.options.tls)) {
      this.options.tls = { ...(typeof this.options.tls === 'object' ? this.options.tls : {}), ca: readFileSync(ca) };
    }
    this.options.host ??= '127.0.0.1';
    this.options.port ??= 6379;
    // BullMQ opens many connections; a missing 'error' listener must not crash the process.
    this.on('error', () => undefined);
    if (!this.options.lazyConnect) void this.connect().catch(() => undefined);
  }

  connect(): Promise<void> {
    if (this.status === 'ready') return Promise.resolve();
    if (this.status === 'wait' || this.status === 'end') {
      this.manualClose = false;
      this.open();
    }
    return new Promise((resolve, reject) => {
      const ok = () => {
        this.off('end', bad);
        resolve();
      };
      const bad = () => {
        this.off('ready', ok);
        reject(new Error('Connection is closed.'));
      };
      this.once('ready', ok);
      this.once('end', bad);
    });
  }

  private open(): void {
    this.status = this.attempts ? 'reconnecting' : 'connecting';
    const o = this.options;
    const sock = o.tls
      ? tlsConnect({ host: o.host, port: o.port, ...(typeof o.tls === 'object' ? o.tls : {}) })
      : netConnect({ host: o.host!, port: o.port! });
    this.socket = sock;
    sock.setNoDelay(true);
    const timer = setTimeout(() => sock.destroy(new Error(`connect ETIMEDOUT ${o.host}:${o.port}`)), o.connectTimeout ?? 10_000);
    sock.once(o.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      this.emit('connect');
      void this.handshake();
    });
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (err) => {
      clearTimeout(timer);
      this.emit('error', err);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      this.onClose(sock);
    });
  }

  private async handshake(): Promise<void> {
    const o = this.options;
    try {
      this.status = 'connect';
      if (o.password) await this.raw(o.username ? ['AUTH', o.username, o.password] : ['AUTH', o.password], false, true);
      if (o.db) await this.raw(['SELECT', o.db], false, true);
      if (this.channels.size) await this.raw(['SUBSCRIBE', ...this.channels], false, true);
      this.status = 'ready';
      this.attempts = 0;
      this.loaded = new Set();
      const queued = this.offline;
      this.offline = [];
      for (const q of queued) this.write(q.bytes, q.entries);
      this.emit('ready');
    } catch (err) {
      this.emit('error', err);
      this.manualClose = true; // wrong password: reconnecting would not help
      this.socket?.destroy();
    }
  }

  private onClose(sock: Socket): void {
    if (this.socket !== sock) return;
    this.socket = null;
    this.chunks = [];
    this.buffered = 0;
    const err = new Error('Connection is closed.');
    for (const p of this.pending.splice(0)) p.reject(err);
    const wasUp = this.status !== 'end';
    this.emit('close');
    const delay = this.manualClose ? null : (this.options.retryStrategy ?? ((t: number) => Math.min(t * 100, 2000)))(++this.attempts);
    if (delay === null || delay === undefined) {
      this.status = 'end';
      for (const q of this.offline.splice(0)) q.entries.forEach((p) => p.reject(err));
      if (wasUp) this.emit('end');
      return;
    }
    this.status = 'reconnecting';
    this.emit('reconnecting', delay);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.manualClose) this.open();
    }, delay);
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    let pos = 0;
    while (pos < buf.length) {
      const r = parseAt(buf, pos);
      if (r === INCOMPLETE) break;
      pos = r.next;
      if (this.channels.size && Array.isArray(r.value) && r.value.length === 3 && String(r.value[0]) === 'message') {
        this.emit('message', String(r.value[1]), String(r.value[2]));
        continue;
      }
      const p = this.pending.shift();
      if (!p) continue;
      if (r.value instanceof RedisReplyError) p.reject(r.value);
      else if (!p.silent) p.resolve(decode(r.value, p.buffers));
      else p.resolve(undefined);
    }
    buf = buf.subarray(pos);
    this.chunks = buf.length ? [buf] : [];
    this.buffered = buf.length;
  }

  private write(bytes: Buffer, entries: Pending[]): void {
    this.pending.push(...entries);
    this.socket!.write(bytes);
  }

  /** Sends raw commands; `handshake` commands go out before the connection counts as ready. */
  private raw(args: Arg[], buffers = false, handshake = false): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const entry: Pending = { resolve, reject, buffers };
      this.send(encode(args), [entry], handshake);
    });
  }

  private send(bytes: Buffer, entries: Pending[], handshake = false): void {
    if ((this.status === 'ready' || handshake) && this.socket) return this.write(bytes, entries);
    if (this.status === 'end' || this.options.enableOfflineQueue === false) {
      const e = new Error(this.status === 'end' ? 'Connection is closed.' : `Redis is not connected (${this.status}) and the offline queue is disabled`);
      entries.forEach((p) => p.reject(e));
      return;
    }
    this.offline.push({ bytes, entries });
  }

  /** Listens to a pub/sub channel ('message' events); the connection is then for this only. */
  async subscribe(channel: string): Promise<void> {
    this.channels.add(channel);
    if (this.status === 'ready') await this.call('SUBSCRIBE', channel);
  }

  /** Any command: `call('HSET', key, field, value)`. */
  call(...args: Array<Arg | Arg[]>): Promise<any> {
    return this.raw(flatten(args)) as Promise<any>;
  }

  /** Like call(), bulk replies as Buffers (binary blobs). */
  callBuffer(...args: Array<Arg | Arg[]>): Promise<any> {
    return this.raw(flatten(args), true) as Promise<any>;
  }

  defineCommand(name: string, def: { numberOfKeys: number; lua: string }): void {
    this.scripts.set(name, { ...def, sha: createHash('sha1').update(def.lua).digest('hex') });
    (this as unknown as Record<string, unknown>)[name] = true;
  }

  /** EVALSHA, or EVAL the first time on this connection (which caches it server-side). */
  scriptArgs(name: string, args: unknown[]): Arg[] {
    const s = this.scripts.get(name);
    if (!s) throw new Error(`Unknown script ${name}`);
    const flat = flatten(args);
    if (this.loaded.has(s.sha)) return ['EVALSHA', s.sha, s.numberOfKeys, ...flat];
    this.loaded.add(s.sha);
    return ['EVAL', s.lua, s.numberOfKeys, ...flat];
  }

  async runCommand(name: string, args: unknown[]): Promise<any> {
    try {
      return await this.call(this.scriptArgs(name, args));
    } catch (err) {
      if (err instanceof RedisReplyError && err.message.startsWith('NOSCRIPT')) {
        this.loaded.delete(this.scripts.get(name)!.sha);
        return this.call(this.scriptArgs(name, args));
      }
      throw err;
    }
  }

  pipeline(): MiniTransaction {
    return new MiniTransaction(this, false);
  }

  multi(): MiniTransaction {
    return new MiniTransaction(this, true);
  }

  /** Used by transactions: writes all commands at once, in order. */
  sendBatch(commands: Arg[][], entries: Pending[]): void {
    this.send(Buffer.concat(commands.map(encode)), entries);
  }

  duplicate(overrides: Record<string, unknown> = {}): MiniRedis {
    const { url: _url, ...rest } = this.options;
    return new MiniRedis({ ...rest, ...overrides });
  }

  disconnect(reconnect = false): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.manualClose = !reconnect;
    if (this.socket) this.socket.destroy();
    else if (!reconnect) {
      const was = this.status;
      this.status = 'end';
      const err = new Error('Connection is closed.');
      for (const q of this.offline.splice(0)) q.entries.forEach((p) => p.reject(err));
      if (was !== 'end') this.emit('end');
    }
  }

  async quit(): Promise<string> {
    this.manualClose = true;
    if (this.status !== 'ready') {
      this.disconnect();
      return 'OK';
    }
    try {
      await this.call('QUIT');
    } catch {
      // closing anyway
    }
    this.disconnect();
    return 'OK';
  }

  // The commands BullMQ uses (IRedisClient), in ioredis' reply shapes.
  hgetall(key: string) {
    return this.call('HGETALL', key).then(pairsToObject);
  }
  hget(key: string, field: string) {
    return this.call('HGET', key, field);
  }
  hmget(key: string, ...fields: string[]) {
    return this.call('HMGET', key, ...fields);
  }
  hset(key: string, data: Record<string, string | number> | string, ...rest: Arg[]) {
    if (typeof data === 'string') return this.call('HSET', key, data, ...rest);
    return this.call('HSET', key, ...Object.entries(data).flat());
  }
  hdel(key: string, ...fields: string[]) {
    return this.call('HDEL', key, ...fields);
  }
  hexists(key: string, field: string) {
    return this.call('HEXISTS', key, field);
  }
  get(key: string) {
    return this.call('GET', key);
  }
  set(key: string, value: Arg, options?: { PX?: number; EX?: number; NX?: boolean } | string, ...rest: Arg[]) {
    if (typeof options === 'string') return this.call('SET', key, value, options, ...rest);
    const extra: Arg[] = [];
    if (options?.PX != null) extra.push('PX', options.PX);
    else if (options?.EX != null) extra.push('EX', options.EX);
    if (options?.NX) extra.push('NX');
    return this.call('SET', key, value, ...extra);
  }
  del(...keys: string[]) {
    return this.call('DEL', ...keys);
  }
  zrange(key: string, start: number, end: number, options?: { WITHSCORES?: boolean } | string) {
    const ws = typeof options === 'string' ? options : options?.WITHSCORES ? 'WITHSCORES' : null;
    return ws ? this.call('ZRANGE', key, start, end, ws) : this.call('ZRANGE', key, start, end);
  }
  zrevrange(key: string, start: number, end: number, options?: { WITHSCORES?: boolean } | string) {
    const ws = typeof options === 'string' ? options : options?.WITHSCORES ? 'WITHSCORES' : null;
    return ws ? this.call('ZREVRANGE', key, start, end, ws) : this.call('ZREVRANGE', key, start, end);
  }
  zcard(key: string) {
    return this.call('ZCARD', key);
  }
  zscore(key: string, member: string) {
    return this.call('ZSCORE', key, member);
  }
  lrange(key: string, start: number, end: number) {
    return this.call('LRANGE', key, start, end);
  }
  llen(key: string) {
    return this.call('LLEN', key);
  }
  ltrim(key: string, start: number, end: number) {
    return this.call('LTRIM', key, start, end);
  }
  lpos(key: string, value: string) {
    return this.call('LPOS', key, value);
  }
  smembers(key: string) {
    return this.call('SMEMBERS', key);
  }
  xadd(key: string, id: string, fields: Record<string, string | number>, options?: { MAXLEN?: number; approximate?: boolean }) {
    const args: Arg[] = [key];
    if (options?.MAXLEN != null) args.push('MAXLEN', ...(options.approximate !== false ? ['~'] : []), options.MAXLEN);
    args.push(id, ...Object.entries(fields).flat());
    return this.call('XADD', ...args);
  }
  xread(streams: { key: string; id: string }[], options?: { BLOCK?: number; COUNT?: number }) {
    const args: Arg[] = [];
    if (options?.BLOCK != null) args.push('BLOCK', options.BLOCK);
    if (options?.COUNT != null) args.push('COUNT', options.COUNT);
    args.push('STREAMS', ...streams.map((s) => s.key), ...streams.map((s) => s.id));
    return this.call('XREAD', ...args);
  }
  xtrim(key: string, strategy: 'MAXLEN', threshold: number, options?: { approximate?: boolean }) {
    return this.call('XTRIM', key, strategy, ...(options?.approximate !== false ? ['~'] : []), threshold);
  }
  bzpopmin(key: string, timeout: number) {
    return this.call('BZPOPMIN', key, timeout);
  }
  info() {
    return this.call('INFO');
  }
  client(...args: Arg[]) {
    return this.call('CLIENT', ...args);
  }
  clientSetName(name: string) {
    return this.call('CLIENT', 'SETNAME', name);
  }
  clientList() {
    return this.call('CLIENT', 'LIST');
  }
  clientInfo() {
    return this.call('CLIENT', 'INFO');
  }
  scan(cursor: string | number, options: { MATCH?: string; COUNT?: number } = {}) {
    const args: Arg[] = [cursor];
    if (options.MATCH != null) args.push('MATCH', options.MATCH);
    if (options.COUNT != null) args.push('COUNT', options.COUNT);
    return this.call('SCAN', ...args);
  }
  scanStream(options: { match: string; count?: number }): Readable {
    const scan = (cursor: string, o: { MATCH?: string; COUNT?: number }) => this.scan(cursor, o);
    return Readable.from(
      (async function* () {
        let cursor = '0';
        do {
          const [next, keys] = (await scan(cursor, { MATCH: options.match, COUNT: options.count ?? 100 })) as [string, string[]];
          cursor = next;
          if (keys.length) yield keys;
        } while (cursor !== '0');
      })(),
      { objectMode: true },
    );
  }
}

/** pipeline() / multi(): commands queued, written together by exec(), replies as [err, value] pairs. */
export class MiniTransaction {
  private readonly commands: Arg[][] = [];
  private readonly transforms: Array<(v: unknown) => unknown> = [];

  constructor(
    private readonly client: MiniRedis,
    private readonly atomic: boolean,
  ) {}

  private add(args: Arg[], transform: (v: unknown) => unknown = (v) => v): this {
    this.commands.push(flatten(args));
    this.transforms.push(transform);
    return this;
  }

  hgetall(key: string) {
    return this.add(['HGETALL', key], pairsToObject);
  }
  hset(key: string, data: Record<string, string | number>) {
    return this.add(['HSET', key, ...Object.entries(data).flat()]);
  }
  hscan(key: string, cursor: string | number, options?: { COUNT?: number }) {
    return this.add(['HSCAN', key, cursor, ...(options?.COUNT != null ? ['COUNT', options.COUNT] : [])]);
  }
  smembers(key: string) {
    return this.add(['SMEMBERS', key]);
  }
  sscan(key: string, cursor: string | number, options?: { COUNT?: number }) {
    return this.add(['SSCAN', key, cursor, ...(options?.COUNT != null ? ['COUNT', options.COUNT] : [])]);
  }
  zrange(key: string, start: number, end: number) {
    return this.add(['ZRANGE', key, start, end]);
  }
  lrange(key: string, start: number, end: number) {
    return this.add(['LRANGE', key, start, end]);
  }
  llen(key: string) {
    return this.add(['LLEN', key]);
  }
  del(...keys: string[]) {
    return this.add(['DEL', ...keys]);
  }
  get(key: string) {
    return this.add(['GET', key]);
  }
  exists(key: string) {
    return this.add(['EXISTS', key]);
  }
  call(...args: Arg[]) {
    return this.add(args);
  }
  runCommand(name: string, args: unknown[]) {
    return this.add(this.client.scriptArgs(name, args));
  }

  async exec(): Promise<[Error | null, any][] | null> {
    if (!this.commands.length) return [];
    const n = this.commands.length;
    const settled: Array<Promise<[Error | null, unknown]>> = [];
    const entries: Pending[] = [];
    const entry = (silent: boolean): Pending => {
      let res!: (v: unknown) => void;
      let rej!: (e: Error) => void;
      const p = new Promise<unknown>((a, b) => {
        res = a;
        rej = b;
      });
      if (!silent) settled.push(p.then((v) => [null, v] as [null, unknown], (e: Error) => [e, null] as [Error, null]));
      else p.catch(() => undefined);
      return { resolve: res, reject: rej, buffers: false, silent };
    };
    if (!this.atomic) {
      for (let i = 0; i < n; i++) entries.push(entry(false));
      this.client.sendBatch(this.commands, entries);
      const out = await Promise.all(settled);
      return out.map(([e, v], i) => [e, e ? null : this.transforms[i](v)]);
    }
    entries.push(entry(true));
    for (let i = 0; i < n; i++) entries.push(entry(true));
    const execEntry = entry(false);
    entries.push(execEntry);
    this.client.sendBatch([['MULTI'], ...this.commands, ['EXEC']], entries);
    const [[err, replies]] = await Promise.all(settled);
    if (err) throw err;
    if (replies === null) return null;
    return (replies as unknown[]).map((v, i) => (v instanceof Error ? [v, null] : [null, this.transforms[i](v)]));
  }
}
