// The local-listener rules (DESIGN.md §4) as pure functions, for listeners outside `main` (the MCP
// server's Streamable HTTP transport). Same rules as src/main/api/security.ts.
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0];
}

/** A foreign Host header means DNS rebinding. */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  return hostHeader !== undefined && LOOPBACK_HOSTS.has(hostnameOf(hostHeader));
}

/** A browser page may call only from a loopback origin; no Origin (scripts, agents) is fine. */
export function isAllowedOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname.toLowerCase());
  } catch {
    return false;
  }
}
