import type { ApiRequest, ApiResponse, PreloadBridge } from '../../../shared/transport';

export interface Transport {
  readonly kind: 'ipc' | 'http';
  send(req: ApiRequest): Promise<ApiResponse>;
}

export class HttpTransport implements Transport {
  readonly kind = 'http' as const;
  constructor(private readonly base = '/api/v1') {}
  async send(req: ApiRequest): Promise<ApiResponse> {
    const res = await fetch(`${this.base}${req.path}`, {
      method: req.method,
      headers: req.body === undefined ? {} : { 'content-type': 'application/json' },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // plain text
    }
    return { status: res.status, body };
  }
}

export class IpcTransport implements Transport {
  readonly kind = 'ipc' as const;
  constructor(private readonly bridge: PreloadBridge) {}
  send(req: ApiRequest): Promise<ApiResponse> {
    return this.bridge.request(req);
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

function errorText(body: unknown): string {
  const b = body as { detail?: unknown; error?: { message?: string; details?: { field: string; message: string }[] } } | null;
  if (typeof b?.detail === 'string') return b.detail;
  if (b?.error?.details?.length) return b.error.details.map((d) => `${d.field}: ${d.message}`).join('; ');
  return b?.error?.message ?? JSON.stringify(body);
}

/** The renderer's one client: views call it; it does not care which transport carries the request. */
export class ApiClient {
  requestCount = 0;
  constructor(readonly transport: Transport) {}

  async request<T = any>(method: ApiRequest['method'], path: string, body?: unknown): Promise<T> {
    this.requestCount++;
    const res = await this.transport.send({ method, path, body });
    if (res.status >= 400) throw new ApiError(res.status, errorText(res.body), res.body);
    return res.body as T;
  }
  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body: unknown = {}) {
    return this.request<T>('POST', path, body);
  }
  delete<T = any>(path: string, body?: unknown) {
    return this.request<T>('DELETE', path, body);
  }
}

export function preloadBridge(): PreloadBridge | undefined {
  return (window as unknown as { ktrdr?: PreloadBridge }).ktrdr;
}

export function createClient(): ApiClient {
  const bridge = preloadBridge();
  return new ApiClient(bridge ? new IpcTransport(bridge) : new HttpTransport());
}

export const api = createClient();

/** Where this UI runs, for notes it leaves (a cancellation reason): the Electron app or a browser page. */
export function uiName(client: ApiClient = api): string {
  return client.transport.kind === 'ipc' ? 'the desktop app' : 'the web UI in a browser';
}
