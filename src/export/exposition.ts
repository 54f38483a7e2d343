import { setImmediate } from 'node:timers/promises';
import type { Registry } from 'prom-client';
import { EXPOSITION_BYTES, type MetricBytes } from './prometheus-registry.js';

const BLANK_LINE = Buffer.from('\n\n');
const NEWLINE = Buffer.from('\n');

/** What a scrape gets: the exposition bytes of one tick. */
export interface Exposition {
  body: Buffer;
  contentType: string;
}

/**
 * The Prometheus exposition of the newest tick, formatted once per tick and served as the same bytes to every scrape.
 * The figures change only when a tick runs, so formatting them per scrape (prom-client's `registry.metrics()`: ~700 KiB
 * of text and thousands of label objects with 300 processes) only made garbage: it grew serve's young generation and
 * held a scrape up to 160 ms behind a GC (measured). `refresh` right after each tick keeps it no older than the tick.
 */
export class ExpositionCache {
  #current: Exposition | Error = new Error('no tick formatted yet');

  constructor(private readonly registry: Registry) {}

  /** Formats the newest tick; a failure is what scrapes answer (500) until the next tick formats. */
  async refresh(): Promise<Exposition | Error> {
    try {
      const bytes = (this.registry as Registry & { [EXPOSITION_BYTES]?: MetricBytes[] })[EXPOSITION_BYTES];
      this.#current = { body: bytes ? await joinParts(bytes) : await this.#text(), contentType: this.registry.contentType };
    } catch (error) {
      this.#current = error instanceof Error ? error : new Error(String(error));
    }
    return this.#current;
  }

  /** The newest exposition, or why there is none. */
  current = (): Exposition | Error => this.#current;

  /** Any registry's text, metric by metric. */
  async #text(): Promise<Buffer> {
    // Metric by metric into bytes, outside the V8 heap, exactly as `registry.metrics()` joins them (a blank line
    // between two, a newline at the end): its one string of the whole text (1.6 MB with 300 processes, two bytes a
    // character as soon as one command label is cut with '…') lived in V8's large-object space until a full GC,
    // one more per tick (measured).
    const texts: string[] = [];
    for (const metric of this.registry.getMetricsAsArray()) {
      texts.push(await this.registry.getSingleMetricAsString(metric.name));
      // A scrape that comes meanwhile is answered (the previous tick's bytes) between two metrics, not after all.
      await setImmediate();
    }
    // One allocation of the final size, each text written into it: no copy of the bytes in between.
    let length = Math.max(0, texts.length - 1) * BLANK_LINE.length + NEWLINE.length;
    for (const text of texts) length += Buffer.byteLength(text);
    const body = Buffer.allocUnsafeSlow(length);
    let at = 0;
    for (const [i, text] of texts.entries()) {
      if (i > 0) at += BLANK_LINE.copy(body, at);
      at += body.write(text, at);
    }
    NEWLINE.copy(body, at);
    return body;
  }
}

/**
 * The text of a registry made by `prometheusRegistry`, from its metrics' bytes (see MetricBytes), joined as
 * `registry.metrics()` joins the texts: a blank line between two metrics, a newline at the end.
 */
async function joinParts(metrics: readonly MetricBytes[]): Promise<Buffer> {
  const all: Array<Array<Buffer | string>> = [];
  let length = Math.max(0, metrics.length - 1) * BLANK_LINE.length + NEWLINE.length;
  for (const metric of metrics) {
    const parts = await metric.parts();
    for (const part of parts) length += part.length; // a value's string is ASCII: as many bytes as characters
    all.push(parts);
    // A scrape that comes meanwhile is answered (the previous tick's bytes) between two metrics, not after all.
    await setImmediate();
  }
  const body = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const [i, parts] of all.entries()) {
    if (i > 0) at += BLANK_LINE.copy(body, at);
    for (const part of parts) at += typeof part === 'string' ? body.write(part, at, 'latin1') : part.copy(body, at);
  }
  NEWLINE.copy(body, at);
  return body;
}
