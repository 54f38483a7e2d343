import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import { LABEL_NAMES, METRICS, processLabels, type ExportTick } from '../core/exported-metrics.js';

// The two classes serve uses, from their own files: prom-client's index also loads its cluster aggregator, push
// gateway and default metrics, which serve never uses: 9 MB of a bare serve's RSS (measured). prom-client is pinned.
const require = createRequire(import.meta.url);
const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry;
const Gauge = require('prom-client/lib/gauge') as typeof PromClient.Gauge;

/**
 * A prom-client registry whose gauges are filled, on each collect, from the newest tick: a scrape formats what the
 * last tick found and never samples /proc or an inspector itself, so /metrics answers in the time of formatting.
 */
export function prometheusRegistry(latest: () => ExportTick | null): PromClient.Registry {
  const registry = new Registry();
  for (const metric of METRICS) {
    new Gauge({
      name: metric.promName,
      help: metric.help,
      labelNames: LABEL_NAMES,
      registers: [registry],
      collect() {
        // Processes that exited since the previous scrape leave with their series.
        this.reset();
        for (const figures of latest()?.processes ?? []) {
          const labels = processLabels(figures);
          for (const point of metric.points(figures)) this.set({ ...labels, ...point.attributes }, point.value);
        }
      },
    });
  }
  return registry;
}
