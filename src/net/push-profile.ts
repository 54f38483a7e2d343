/**
 * Sends a gzipped pprof profile to a Pyroscope-compatible ingest endpoint (the request: core/alloc/pyroscope-ingest.ts).
 * One POST, a bounded wait, and a refusal or an unreachable server reported as a UserError in one line: pushing is
 * the last step of `alloc`, after the report, and must not hang it.
 */
import { randomBytes } from 'node:crypto';
import { ingestUrl, IngestInputError, multipartBody, type IngestTarget } from '../core/alloc/pyroscope-ingest.js';
import { UserError } from '../core/user-error.js';

/** Ingesting one profile takes Pyroscope well under a second; a server that takes this long is not answering. */
const PUSH_TIMEOUT_MS = 30_000;

/** Checks a push target before anything is asked of the process (the URL's form, the app name); returns the URL. */
export function checkPushTarget(target: Omit<IngestTarget, 'fromMs' | 'untilMs'>): URL {
  try {
    return ingestUrl({ ...target, fromMs: 0, untilMs: 0 });
  } catch (error) {
    if (error instanceof IngestInputError) throw new UserError(`cannot push to ${error.message}`, { hint: 'Give --push the Pyroscope server, e.g. http://127.0.0.1:4040.', exitCode: 2 });
    throw error;
  }
}

/** POSTs the profile; resolves with the URL it was sent to. */
export async function pushProfile(target: IngestTarget, profileGz: Uint8Array): Promise<URL> {
  const url = ingestUrl(target);
  const { body, contentType } = multipartBody(profileGz, `leaktop${randomBytes(16).toString('hex')}`);
  const headers: Record<string, string> = { 'content-type': contentType };
  // Grafana Cloud and proxies in front of Pyroscope take HTTP basic auth: given in the URL, sent as the header
  // (fetch refuses a URL with credentials).
  if (url.username || url.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const shown = `${url.origin}${url.pathname}`; // not the query: it carries the process's command line
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(PUSH_TIMEOUT_MS), redirect: 'error' });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer in ${PUSH_TIMEOUT_MS / 1000} s` : causeText(error);
    throw new UserError(`could not push the profile to ${shown}: ${reason}`, { hint: 'Check that the Pyroscope server is up and reachable from here.', cause: error });
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const said = text.trim().replace(/\s+/g, ' ').slice(0, 200);
    throw new UserError(`${shown} refused the profile: HTTP ${response.status}${said ? ` (${said})` : ''}`, { hint: 'Check the URL: it must be a Pyroscope-compatible /ingest endpoint.' });
  }
  return url;
}

/** What fetch's "fetch failed" stands for: ECONNREFUSED, ENOTFOUND … */
function causeText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
