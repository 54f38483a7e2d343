import { isIP } from 'node:net';
import { UserError } from './user-error.js';

/** Where `leaktop serve` listens unless told: loopback only; 9465 is free in Prometheus's list of default ports. */
export const DEFAULT_LISTEN = '127.0.0.1:9465';

/**
 * Parses `--listen`: `PORT` (loopback), `IPv4:PORT`, `[IPv6]:PORT` or `localhost:PORT`. Host names are refused:
 * what a name resolves to can change, and an exporter that names every process's command line must not end up on a
 * public interface by accident. Any other interface is reachable only by writing its address (`0.0.0.0:9465`).
 */
export function parseListenAddress(value: string): { host: string; port: number } {
  const match = /^(?:(?:\[([^\]]+)\]|([^:[\]]+)):)?(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) throw new UserError(`--listen '${value}' is not an address`, { hint: 'Give PORT, IP:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9465.', exitCode: 2 });
  const host = match[1] ?? match[2] ?? '127.0.0.1';
  if (host === 'localhost') return { host: '127.0.0.1', port };
  if (match[1] !== undefined ? isIP(host) !== 6 : isIP(host) !== 4) {
    throw new UserError(`--listen '${value}': give an IP address, not a host name`, { hint: 'e.g. 127.0.0.1:9465, or 0.0.0.0:9465 for every interface.', exitCode: 2 });
  }
  return { host, port };
}

/** Whether only this host can reach the address (127.0.0.0/8, ::1). */
export function isLoopback(host: string): boolean {
  return host === '::1' || /^127\./.test(host) || host === '::ffff:127.0.0.1';
}

/**
 * `--otlp URL`: the URL of an OTLP/HTTP metrics endpoint. A bare `http://host:4318` gets the signal path
 * `/v1/metrics` (as OTEL_EXPORTER_OTLP_ENDPOINT does); a URL with a path is used as given.
 */
export function otlpMetricsUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`--otlp '${value}' is not an http(s) URL`, { hint: 'e.g. http://127.0.0.1:4318/v1/metrics (OTLP/HTTP, JSON).', exitCode: 2 });
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/metrics';
  return url.toString();
}
