/**
 * The WebSocket URL to attach to, built from where we probed (HOST:PORT) and only the path of the URL the endpoint
 * advertised in `/json/list`. Whatever answers on a port of the process decides nothing else: a `/json/list` that
 * says `ws://127.0.0.2:OTHER/x` must not send leaktop to another endpoint under this PID's name (issue 14).
 *
 * Node's path is `/` and a UUID; any single path segment of letters, digits and dashes is accepted, and anything
 * else — another scheme, a query, credentials, `..`, more segments — makes it not an inspector (null).
 */
export function debuggerUrlAt(host: string, port: number, advertised: string): string | null {
  let url: URL;
  try {
    url = new URL(advertised);
  } catch {
    return null;
  }
  if (url.protocol !== 'ws:' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') return null;
  if (!/^\/[A-Za-z0-9-]{1,128}$/.test(url.pathname)) return null;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return `ws://${host.includes(':') ? `[${host}]` : host}:${port}${url.pathname}`;
}
