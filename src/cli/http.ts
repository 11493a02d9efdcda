import { API_PREFIX } from '../shared/version';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export class ConnectionError extends Error {}

/** Turns any KTRDR error body ({detail} or {error:{message,details}}) into one readable line. */
export function describeErrorBody(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { detail?: unknown; error?: { message?: string; details?: { field: string; message: string }[] } };
    if (typeof b.detail === 'string') return b.detail;
    if (b.detail) return JSON.stringify(b.detail);
    if (b.error?.details?.length) return b.error.details.map((d) => `${d.field}: ${d.message}`).join('; ');
    if (b.error?.message) return b.error.message;
  }
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** A small REST client for the CLI. The base URL is the server root (e.g. http://127.0.0.1:8000). */
export class KtrdrHttpClient {
  /** `headers` go on every request (e.g. X-KTRDR-Client: mcp, which tags the operations it starts). */
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl.replace(/\/$/, '')}${API_PREFIX}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: body === undefined ? { ...this.headers } : { ...this.headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ConnectionError(
        `Cannot reach the KTRDR server at ${this.baseUrl} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}). ` +
          `Start it with "ktrdr serve" or point --url / KTRDR_API_URL at it.`,
      );
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}: ${describeErrorBody(parsed)}`, parsed);
    return parsed as T;
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  put<T = any>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body ?? {});
  }
  delete<T = any>(path: string, body?: unknown) {
    return this.request<T>('DELETE', path, body);
  }
}
