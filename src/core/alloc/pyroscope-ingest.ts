/**
 * The request that sends a profile to a Pyroscope-compatible ingest endpoint (Grafana Pyroscope's `POST /ingest`,
 * also served by Grafana Alloy's `pyroscope.receive_http`): the metadata in the query — `name=APP{label=value,…}`,
 * `from` and `until` in Unix seconds, `format=pprof`, `spyName` — and the gzipped pprof as the `profile` part of a
 * multipart/form-data body, as Pyroscope's own Node.js SDK sends it. Pure: the adapter (src/net/push-profile.ts)
 * sends it.
 */

/** What to send, besides the profile. */
export interface IngestTarget {
  /** The server (`http://pyroscope:4040`) or its ingest URL (`…/ingest`); a path prefix before it is kept. */
  url: string;
  /** The application name (Pyroscope's `service_name`). */
  app: string;
  /** Labels of the profiled process (pid, command). */
  labels: Record<string, string>;
  /** When sampling started and ended, epoch ms. */
  fromMs: number;
  untilMs: number;
}

/** Pyroscope's label names: letters, digits, `_` and `.`, not starting with a digit. */
const LABEL_NAME = /^[A-Za-z_.][A-Za-z0-9_.]*$/;
/** A label value may hold what Pyroscope's `name{…}` syntax does not use for itself; longer ones are cut. */
const MAX_LABEL_VALUE = 200;

/** Thrown for a URL or name the ingest request cannot carry; the CLI says it in one line. */
export class IngestInputError extends Error {}

/** The ingest URL with its query: throws IngestInputError for a URL that is not http(s) or a bad app name. */
export function ingestUrl(target: IngestTarget): URL {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    throw new IngestInputError(`'${target.url}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new IngestInputError(`'${target.url}' is not an http:// or https:// URL`);
  if (!LABEL_NAME.test(target.app)) throw new IngestInputError(`'${target.app}' is not an application name Pyroscope takes (letters, digits, _ and .)`);
  if (!url.pathname.endsWith('/ingest')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/ingest`;
  const labels = Object.entries(target.labels)
    .filter(([name, value]) => LABEL_NAME.test(name) && value !== '') // an empty value is no label (a gone process's command)
    .map(([name, value]) => `${name}=${labelValue(value)}`);
  const query = url.searchParams;
  query.set('name', `${target.app}{${labels.join(',')}}`);
  query.set('from', String(Math.floor(target.fromMs / 1000)));
  query.set('until', String(Math.max(Math.ceil(target.untilMs / 1000), Math.floor(target.fromMs / 1000))));
  query.set('format', 'pprof');
  query.set('spyName', 'nodespy');
  return url;
}

/** A label value Pyroscope's `name{k=v,…}` parser reads back whole: its delimiters and control characters become `_`. */
export function labelValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[{}=,"\\\u0000-\u001f\u007f]/g, '_');
  return clean.length > MAX_LABEL_VALUE ? clean.slice(0, MAX_LABEL_VALUE) : clean;
}

/** The multipart body with the one `profile` part, and its content type. `boundary` must not occur in the profile. */
export function multipartBody(profileGz: Uint8Array, boundary: string): { body: Uint8Array; contentType: string } {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="profile"; filename="profile.pb.gz"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const body = Buffer.concat([Buffer.from(head, 'utf8'), profileGz, Buffer.from(tail, 'utf8')]);
  return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), contentType: `multipart/form-data; boundary=${boundary}` };
}
