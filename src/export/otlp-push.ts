import { hostname } from 'node:os';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { METRICS, OTEL_ATTRIBUTE_NAMES, processLabels, type ExportTick } from '../core/exported-metrics.js';

/** Longer than any tick: the reader's own timer never fires; `push` exports after each tick instead. */
const NEVER_MS = 24 * 3600_000;
/** A collector that does not answer in this time loses one push, not the next ticks. */
const EXPORT_TIMEOUT_MS = 10_000;

/**
 * Pushes each tick's figures as OTLP/HTTP (JSON encoding: any receiver, and a test, can read it without protobuf
 * definitions) through the OpenTelemetry SDK: one observable gauge per metric of METRICS, read from the newest tick.
 */
export class OtlpPush {
  readonly #provider: MeterProvider;
  readonly #reader: PeriodicExportingMetricReader;

  constructor(url: string, latest: () => ExportTick | null) {
    const exporter = new OTLPMetricExporter({ url, timeoutMillis: EXPORT_TIMEOUT_MS });
    this.#reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: NEVER_MS,
      exportTimeoutMillis: EXPORT_TIMEOUT_MS,
      // Every process is a series (five for the verdict): the default 2000 per instrument is 400 processes.
      cardinalityLimits: { default: 1_000_000 },
    });
    this.#provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'leaktop', 'host.name': hostname() }),
      readers: [this.#reader],
    });
    const meter = this.#provider.getMeter('leaktop');
    for (const metric of METRICS) {
      meter.createObservableGauge(metric.otelName, { description: metric.help, unit: metric.unit }).addCallback((result) => {
        for (const figures of latest()?.processes ?? []) {
          const attributes = otelAttributes(processLabels(figures));
          for (const point of metric.points(figures)) result.observe(point.value, { ...attributes, ...otelAttributes(point.attributes ?? {}) });
        }
      });
    }
  }

  /** Exports the newest tick now. Rejects when the endpoint refused it or did not answer. */
  push(): Promise<void> {
    return this.#reader.forceFlush();
  }

  /** Stops the SDK (its last export included) within the export timeout. */
  async close(): Promise<void> {
    await this.#provider.shutdown({ timeoutMillis: EXPORT_TIMEOUT_MS }).catch(() => undefined);
  }
}

/** Prometheus-style labels as OpenTelemetry attributes (`pid` → `process.pid` as a number, as the conventions type it). */
function otelAttributes(labels: Record<string, string>): Record<string, string | number> {
  const attributes: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(labels)) attributes[OTEL_ATTRIBUTE_NAMES[name] ?? name] = name === 'pid' ? Number(value) : value;
  return attributes;
}
