import { createServer, type Server } from 'node:http';
import { UserError } from '../core/user-error.js';
import type { Exposition } from './exposition.js';

/** Where to listen: an IP literal and a port. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * The Prometheus endpoint: GET /metrics answers the newest tick's exposition (formatted once per tick, never per
 * request); `/` says where it is; anything else is 404.
 */
export class MetricsServer {
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async listen(address: ListenAddress, exposition: () => Exposition | Error): Promise<MetricsServer> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/metrics') {
        const current = exposition();
        if (current instanceof Error) response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(current)}\n`);
        else response.writeHead(200, { 'content-type': current.contentType, 'content-length': current.body.length }).end(request.method === 'HEAD' ? undefined : current.body);
        return;
      }
      if (path === '/') {
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('leaktop serve: the figures are at /metrics\n');
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found; try /metrics\n');
    });
    // A scraper that keeps its connection open must not hold the exit up for long.
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new UserError(`cannot listen on ${formatAddress(address)}: ${error.code === 'EADDRINUSE' ? 'the port is taken' : error.code === 'EADDRNOTAVAIL' ? 'no interface has that address' : error.message}`, {
            hint: 'Give another address with --listen HOST:PORT.',
          }),
        ),
      );
      server.listen(address.port, address.host, () => resolve());
    });
    return new MetricsServer(server);
  }

  /** The bound address (the port chosen by the OS when 0 was asked). */
  get address(): ListenAddress {
    const bound = this.#server.address();
    if (bound === null || typeof bound === 'string') throw new Error('the metrics server is not listening');
    return { host: bound.address, port: bound.port };
  }

  /** Stops listening and ends the open connections. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}

export function formatAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
