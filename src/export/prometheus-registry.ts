import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import { LABEL_NAMES, METRICS, processLabels, type ExportTick, type MetricDefinition, type ProcessFigures } from '../core/exported-metrics.js';

// The two classes serve uses, from their own files: prom-client's index also loads its cluster aggregator, push
// gateway and default metrics, which serve never uses: 9 MB of a bare serve's RSS (measured). prom-client is pinned.
const require = createRequire(import.meta.url);
const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry;
const Gauge = require('prom-client/lib/gauge') as typeof PromClient.Gauge;
const { getValueAsString } = require('prom-client/lib/util') as { getValueAsString: (value: number) => string };

type LabelName = (typeof LABEL_NAMES)[number];
type Labels = Partial<Record<LabelName, string>>;
/** How a gauge hands prom-client one series: the labels of a process (with a metric's attribute) and the value. */
type MakeSeries = (labels: Labels, value: number) => unknown;

/**
 * A prom-client registry with one gauge per metric of METRICS, whose series are the newest tick's: a scrape formats
 * what the last tick found and never samples /proc or an inspector itself.
 */
export function prometheusRegistry(latest: () => ExportTick | null): PromClient.Registry {
  const registry = new Registry();
  const labels = new LabelSets();
  const gauges = METRICS.map((metric) => new TickGauge(metric, registry, (make) => labels.series(metric, latest(), make)));
  const bytes: MetricBytes[] = gauges.map((gauge) => (gauge as TickGauge).bytes);
  return Object.assign(registry, { [EXPOSITION_BYTES]: bytes });
}

/**
 * Where a registry made by `prometheusRegistry` keeps, metric by metric, its exposition as bytes (ExpositionCache
 * writes those instead of asking prom-client for the text of every series on every tick).
 */
export const EXPOSITION_BYTES = Symbol('exposition bytes');

/** One metric's exposition as bytes: what prom-client writes for it, the same text (checked by the tests). */
export interface MetricBytes {
  /**
   * The parts of the metric's text for the newest tick, in order: Buffers of prom-client's own text (its HELP and
   * TYPE lines, and each series's `name{labels} `, formatted by prom-client once per label set) and, between them,
   * each value as prom-client writes it.
   */
  parts(): Promise<Array<Buffer | string>>;
}

/**
 * A prom-client Gauge whose values are read from the tick when the registry formats it. Not `collect()` filling the
 * gauge with `set()`: that hashes and sorts every label set and copies it into the gauge's map, on every format —
 * with 300 processes, a third of the 15 MB of garbage each exposition made (measured). The registry formats what
 * `getForPromString()` returns (it asks for that before `get()`, as for a histogram's buckets).
 */
class TickGauge extends Gauge<LabelName> {
  readonly #metric: MetricDefinition;
  readonly #series: (make: MakeSeries) => unknown[];
  readonly #registry: PromClient.Registry;
  /** Series that `getForPromString` returns instead of the tick's, for one call (see #format). */
  #instead: unknown[] | null = null;
  /** prom-client's HELP and TYPE lines of this metric. */
  #header: Buffer | null = null;
  /** Each label set's `name{labels} ` as prom-client writes it, formatted the first time the set is seen. */
  readonly #prefixes = new WeakMap<Labels, Buffer>();

  constructor(metric: MetricDefinition, registry: PromClient.Registry, series: (make: MakeSeries) => unknown[]) {
    super({ name: metric.promName, help: metric.help, labelNames: LABEL_NAMES, registers: [registry] });
    this.#metric = metric;
    this.#series = series;
    this.#registry = registry;
  }

  /**
   * The text as bytes, without a string of it (see MetricBytes). prom-client made a string per series and the whole
   * text each tick — 3.6 MB of V8 heap with 300 processes, two bytes a character once a command label is cut with
   * '…' — though only the values change from tick to tick: now prom-client formats a label set once, and each tick
   * writes that text with the values (prom-client's own `getValueAsString`) between.
   */
  readonly bytes: MetricBytes = {
    parts: async () => {
      const series = this.#series((labels, value) => ({ labels, value })) as Array<{ labels: Labels; value: number }>;
      const unseen = series.filter((one) => !this.#prefixes.has(one.labels)).map((one) => one.labels);
      if (this.#header === null || unseen.length > 0) {
        // One formatting of every new label set, with the value 0: prom-client's lines, cut before that 0. Its text
        // holds no newline but those between lines (it escapes them in HELP and label values).
        const lines = (await this.#format(unseen.map((labels) => ({ labels: NO_LABELS, sharedLabels: labels, value: 0 })))).split('\n');
        this.#header ??= Buffer.from(`${lines[0]}\n${lines[1]}`);
        for (const [i, labels] of unseen.entries()) {
          const line = lines[i + 2]!;
          if (!line.endsWith(' 0')) throw new Error(`unexpected series line from prom-client: ${line}`);
          this.#prefixes.set(labels, Buffer.from(`\n${line.slice(0, -1)}`));
        }
      }
      const parts: Array<Buffer | string> = [this.#header];
      for (const one of series) parts.push(this.#prefixes.get(one.labels)!, getValueAsString(one.value));
      return parts;
    },
  };

  /** prom-client's text of this metric with `values` as its series. */
  #format(values: unknown[]): Promise<string> {
    this.#instead = values;
    try {
      // The registry asks getForPromString synchronously, before its first await: the series are taken here.
      return this.#registry.getSingleMetricAsString(this.#metric.promName);
    } finally {
      this.#instead = null;
    }
  }

  /**
   * For the text (`registry.metrics()`, and the first formatting of each label set in `bytes`): each series's whole
   * label set as prom-client's `sharedLabels` (and no `labels` of its own), which the registry escapes and joins
   * once per label object and keeps in a WeakMap, instead of once per series per call. The text is the same: a series
   * whose `labels` are empty is written `name{shared} value`.
   */
  getForPromString(): Promise<PromClient.MetricObjectWithValues<PromClient.MetricValue<LabelName>>> {
    return Promise.resolve(this.#object(this.#instead ?? this.#series((labels, value) => ({ labels: NO_LABELS, sharedLabels: labels, value }))));
  }

  override get(): Promise<PromClient.MetricObjectWithValues<PromClient.MetricValue<LabelName>>> {
    return Promise.resolve(this.#object(this.#series((labels, value) => ({ labels, value }))));
  }

  #object(values: unknown[]): PromClient.MetricObjectWithValues<PromClient.MetricValue<LabelName>> {
    // What Gauge#get returns (`type` is the string 'gauge' at run time; the typings declare an enum prom-client does not export).
    const object = { name: this.#metric.promName, help: this.#metric.help, type: 'gauge', aggregator: 'sum', values };
    return object as unknown as PromClient.MetricObjectWithValues<PromClient.MetricValue<LabelName>>;
  }
}

/** The `labels` of every series in the text: none of their own, all of them shared (see getForPromString). */
const NO_LABELS: Labels = Object.freeze({});

/**
 * Each process's label sets, made once per process instead of once per series per format: the labels of a process
 * (pid, command, container …) do not change while it runs, nor do those with a metric's own attribute added
 * (`verdict="heap"`, `memory="rss"`). Processes gone from the tick are forgotten.
 */
class LabelSets {
  readonly #byPid = new Map<number, ProcessLabelSets>();
  #tick: ExportTick | null = null;

  series(metric: MetricDefinition, tick: ExportTick | null, make: MakeSeries): unknown[] {
    if (tick !== this.#tick) this.#forgetGone(tick);
    const series: unknown[] = [];
    for (const figures of tick?.processes ?? []) {
      const sets = this.#of(figures);
      for (const point of metric.points(figures)) series.push(make(point.attributes ? sets.with(point.attributes) : sets.base, point.value));
    }
    return series;
  }

  #of(figures: ProcessFigures): ProcessLabelSets {
    const known = this.#byPid.get(figures.pid);
    if (known && sameLabels(known.figures, figures)) return known;
    const sets = new ProcessLabelSets(figures);
    this.#byPid.set(figures.pid, sets);
    return sets;
  }

  #forgetGone(tick: ExportTick | null): void {
    this.#tick = tick;
    const live = new Set(tick?.processes.map((figures) => figures.pid));
    for (const pid of this.#byPid.keys()) if (!live.has(pid)) this.#byPid.delete(pid);
  }
}

/** One process's label sets: its own, and with each attribute a metric adds (`memory="rss"`, `verdict="heap"` …). */
class ProcessLabelSets {
  readonly base: Labels;
  /** By attribute name, then value (a name too: `native` is a value of both `memory` and `verdict`). */
  readonly #with = new Map<string, Map<string, Labels>>();

  constructor(readonly figures: ProcessFigures) {
    this.base = processLabels(figures);
  }

  /** The base labels and `attributes` (one name, as every metric of METRICS has), the same object on every tick. */
  with(attributes: Record<string, string>): Labels {
    for (const name in attributes) {
      const value = attributes[name]!;
      let byValue = this.#with.get(name);
      if (!byValue) this.#with.set(name, (byValue = new Map()));
      let labels = byValue.get(value);
      if (!labels) byValue.set(value, (labels = { ...this.base, ...attributes }));
      return labels;
    }
    return this.base;
  }
}

/** Whether two figures of one PID name the same series (a reused PID, or a redacted command, would not). */
function sameLabels(a: ProcessFigures, b: ProcessFigures): boolean {
  return (
    a.command === b.command &&
    a.place.containerId === b.place.containerId &&
    a.place.containerRuntime === b.place.containerRuntime &&
    a.place.podUid === b.place.podUid &&
    a.place.unit === b.place.unit
  );
}
