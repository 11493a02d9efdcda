import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../../shared/version';
import type { ApiRequest, ApiResponse } from '../../shared/transport';

/**
 * Answers a renderer request by injecting it into the same Fastify routes the REST API serves:
 * one set of handlers, validation and error shapes for IPC and HTTP alike.
 */
export async function handleIpcRequest(api: FastifyInstance, req: ApiRequest): Promise<ApiResponse> {
  if (!req || typeof req.path !== 'string' || !req.path.startsWith('/')) return { status: 400, body: { detail: 'Bad IPC request' } };
  const res = await api.inject({
    method: req.method,
    url: `${API_PREFIX}${req.path}`,
    headers: { host: '127.0.0.1', ...(req.body === undefined ? {} : { 'content-type': 'application/json' }) },
    payload: req.body === undefined ? undefined : JSON.stringify(req.body),
  });
  let body: unknown = res.body;
  try {
    body = res.body ? JSON.parse(res.body) : null;
  } catch {
    // keep text
  }
  return { status: res.statusCode, body };
}
