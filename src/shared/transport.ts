// One client interface for the renderer, two transports: IPC through the preload (Electron) and
// HTTP (a browser against the headless server). Both reach the same REST routes.

export const IPC_API_CHANNEL = 'ktrdr:api';

export interface ApiRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  /** Path under /api/v1, e.g. "/operations?limit=10". */
  path: string;
  body?: unknown;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** What the preload exposes on `window.ktrdr`. */
export interface PreloadBridge {
  request(req: ApiRequest): Promise<ApiResponse>;
  platform: string;
  /** The native menu asks the renderer to show a view. */
  onNavigate(listener: (view: string) => void): void;
}
