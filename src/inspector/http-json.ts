import { request } from 'node:http';

/** A body larger than this is not an inspector's: /json/version is ~70 bytes, /json/list under 1 KiB. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * GETs a small JSON document from HOST:PORT; undefined for anything that is not one (refused, timed out, not 200,
 * not JSON, too big). Used here and, from inside another network namespace, by the relay (netns-relay.ts).
 */
export function getJson(host: string, port: number, path: string, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    // agent: false — a fresh connection that closes after the answer, so no keep-alive socket lingers in a pool.
    const req = request({ host, port, path, signal, agent: false, headers: { accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        req.destroy();
        return resolve(undefined);
      }
      const chunks: Buffer[] = [];
      let receivedBytes = 0;
      res.on('data', (chunk: Buffer) => {
        receivedBytes += chunk.length;
        if (receivedBytes > MAX_BODY_BYTES) {
          req.destroy();
          resolve(undefined);
        } else chunks.push(chunk);
      });
      res.on('end', () => resolve(parseJson(Buffer.concat(chunks).toString('utf8'))));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
