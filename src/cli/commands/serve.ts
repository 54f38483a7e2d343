import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../core/user-error.js';
import { isLoopback } from '../../core/serve-endpoints.js';
import { Exporter } from '../../export/exporter.js';
import { ExpositionCache } from '../../export/exposition.js';
import { formatAddress, MetricsServer, type ListenAddress } from '../../export/metrics-server.js';
import type { OtlpPush } from '../../export/otlp-push.js';
import { prometheusRegistry } from '../../export/prometheus-registry.js';
import { TextfileWriter } from '../../export/textfile.js';
import { writeErr } from '../output.js';

export interface ServeOptions {
  /** Where /metrics listens; null: no HTTP endpoint (--no-listen). */
  listen: ListenAddress | null;
  intervalMs: number;
  /** node_exporter's textfile collector directory. */
  textfile?: string;
  /** OTLP/HTTP metrics endpoint (already completed with /v1/metrics). */
  otlp?: string;
  heap: boolean;
  /** Only these PIDs; every Node.js process when empty. */
  pids: number[];
  redactCommand: boolean;
  /** The growth judgement's minimum window, ms. */
  growthWindowMs: number;
}

const log = (line: string) => writeErr(line);

/**
 * `leaktop serve`: samples every Node.js process each interval and hands the figures to Prometheus (/metrics),
 * node_exporter (--textfile) and an OTLP collector (--otlp). Runs until `signal` aborts (SIGTERM, SIGINT), then
 * closes everything it opened — the HTTP server, the OTLP SDK (after a last push), the textfile, and with --heap
 * the inspectors — and returns, so the process exits 0, as systemd expects of a stopped service.
 */
export async function runServe(options: ServeOptions, signal: AbortSignal): Promise<void> {
  const exporter = new Exporter({ intervalMs: options.intervalMs, heap: options.heap, pids: options.pids, redactCommand: options.redactCommand, growthWindowMs: options.growthWindowMs, log });
  const exposition = new ExpositionCache(prometheusRegistry(exporter.latest));
  let server: MetricsServer | null = null;
  let otlp: OtlpPush | null = null;
  const textfile = options.textfile === undefined ? null : new TextfileWriter(options.textfile);
  const textfileState = failureLog('writing the textfile');
  const otlpState = failureLog('the OTLP push');
  try {
    await exporter.tick();
    const first = await exposition.refresh();
    if (first instanceof Error) throw first;
    if (textfile) {
      await textfile.write(first.body).catch((error: NodeJS.ErrnoException) => {
        throw new UserError(`cannot write ${textfile.path}: ${error.code ?? error.message}`, { hint: "--textfile takes node_exporter's --collector.textfile.directory, which must exist and be writable." });
      });
    }
    if (options.listen) {
      server = await MetricsServer.listen(options.listen, exposition.current);
      const where = formatAddress(server.address);
      log(`leaktop serve: metrics at http://${where}/metrics${isLoopback(server.address.host) ? '' : ' (not loopback: reachable from other hosts)'}`);
    }
    // Loaded only for --otlp: the OpenTelemetry SDK is most of serve's code and memory otherwise unused.
    if (options.otlp) otlp = new (await import('../../export/otlp-push.js')).OtlpPush(options.otlp, exporter.latest);
    log(
      `leaktop serve: ${exporter.latest()?.processes.length ?? 0} Node.js processes, sampled every ${options.intervalMs / 1000} s` +
        `${textfile ? `; textfile ${textfile.path}` : ''}${options.otlp ? `; OTLP to ${options.otlp}` : ''}${options.heap ? '; --heap: attaching to each process' : ''}`,
    );
    // A push to a slow collector (up to its 10 s timeout) must not delay the sampling: it runs beside the loop, and a
    // tick that finds the previous push still under way skips its own.
    let pushing: Promise<void> | null = null;
    await loop(options.intervalMs, signal, exporter, exposition, async () => {
      if (otlp && !pushing) pushing = otlp.push().then(otlpState.ok, otlpState.failed).finally(() => (pushing = null));
      if (textfile) {
        const current = exposition.current();
        await (current instanceof Error ? Promise.reject(current) : textfile.write(current.body)).then(textfileState.ok, textfileState.failed);
      }
    });
    log(`leaktop serve: stopping${options.heap ? ' (closing the inspectors it opened)' : ''}`);
  } finally {
    // Each step runs whatever the others did; the first failure (an inspector left open) is thrown after all.
    const steps = await Promise.allSettled([server?.close(), otlp?.close(), textfile?.remove(), exporter.close()]);
    const failed = steps.find((step) => step.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/**
 * Ticks every `intervalMs` until aborted, formatting each tick's exposition right after it (so a scrape is never
 * older than the newest tick); `publish` after each tick (its failures are logged, not fatal).
 */
async function loop(intervalMs: number, signal: AbortSignal, exporter: Exporter, exposition: ExpositionCache, publish: () => Promise<void>): Promise<void> {
  await publish();
  for (;;) {
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      return; // stopped: the normal end of serve
    }
    await exporter.tick();
    await setImmediate(); // a scrape waiting since the tick began is answered before the formatting
    await exposition.refresh();
    await publish();
  }
}

/** Logs a failing destination once when it starts failing and once when it works again, not on every tick. */
function failureLog(what: string): { ok: () => void; failed: (error: unknown) => void } {
  let failing = false;
  return {
    ok: () => {
      if (failing) log(`leaktop serve: ${what} works again`);
      failing = false;
    },
    failed: (error: unknown) => {
      if (!failing) log(`leaktop serve: ${what} failed (${error instanceof Error ? error.message : String(error)}); trying again each tick`);
      failing = true;
    },
  };
}
