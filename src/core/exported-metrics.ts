/**
 * What `leaktop serve` exports, per Node.js process, and under which names. Pure: the exporter (src/export) fills
 * `ProcessFigures` from the sampler, and the Prometheus and OTLP writers read them through `METRICS`.
 *
 * Names follow the OpenTelemetry semantic conventions where one exists (process.*, v8js.*), and Prometheus names are
 * those the OpenTelemetry → Prometheus translation gives them (dots to underscores, the unit as a suffix: `By` →
 * `_bytes`, `1` on a gauge → `_ratio`, `By/s` → `_bytes_per_second`), so one dashboard works for both paths.
 * leaktop's own figures (growth, verdict, limit) are under `leaktop.`.
 */
import type { ContainerRef } from './container-of-cgroup.js';

/** The kinds of growth of the growth judgement (src/core/growth/judge-growth.ts), one gauge series each. */
export const VERDICTS = ['heap', 'off-heap', 'native', 'none', 'unsure'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Where a process runs, when known: its container (id as the runtime prints it, the runtime, a Kubernetes pod uid) or systemd unit. */
export interface ProcessPlace {
  containerId?: string | null;
  containerRuntime?: string | null;
  podUid?: string | null;
  unit?: string | null;
}

/** One process's figures at one tick. Null: not known (yet); such a series is left out rather than written as 0. */
export interface ProcessFigures {
  pid: number;
  /** The command line, or null when redacted (`--no-command`). */
  command: string | null;
  place: ProcessPlace;
  rssBytes: number;
  /** CPU time over wall time since the previous tick, divided by the host's CPUs (semantic conventions), 0..1. */
  cpuUtilization: number | null;
  /** The growth judgement's rates, bytes per second, null when unknown (before its window; heap ones without --heap). */
  growth: { rss: number | null; heapFloor: number | null; external: number | null; native: number | null };
  /** The growth judgement's kind; null until the judgement runs. */
  verdict: Verdict | null;
  /**
   * A rise held over the window (the judgement's `holds`): true for heap, off-heap and native, and also for 'unsure'
   * when RSS grows but no heap figures say which kind (without --heap). What an alert should fire on.
   */
  growthHolds: boolean | null;
  /** The memory the process can grow into at most: its memory cgroup's limit, else the host's RAM. */
  limitBytes: number | null;
  /** V8 heap figures, with `--heap` once its inspector session answers. */
  heapUsedBytes: number | null;
  heapTotalBytes: number | null;
}

/** The newest tick, as the exporters read it: never sampled on a request. */
export interface ExportTick {
  /** When the tick ran, epoch ms. */
  atMs: number;
  processes: readonly ProcessFigures[];
}

/** One exported metric. */
export interface MetricDefinition {
  /** The OpenTelemetry instrument name. */
  otelName: string;
  /** UCUM unit, as OpenTelemetry writes it. */
  unit: string;
  /** The Prometheus name (the OpenTelemetry translation of otelName + unit). */
  promName: string;
  help: string;
  /** The series of this metric for one process: extra attributes and a value; none when the figure is unknown. */
  points(figures: ProcessFigures): Array<{ attributes?: Record<string, string>; value: number }>;
}

/** The `memory` label of each growth rate. */
const GROWTH_LABELS: Readonly<Record<keyof ProcessFigures['growth'], string>> = { rss: 'rss', heapFloor: 'heap_floor', external: 'external', native: 'native' };

const one = (value: number | null) => (value === null || !Number.isFinite(value) ? [] : [{ value }]);

/** The suffix Prometheus's OpenTelemetry translation gives each UCUM unit used here (none for a plain gauge). */
const UNIT_SUFFIX: Readonly<Record<string, string>> = { By: '_bytes', '1': '_ratio', 'By/s': '_bytes_per_second', '': '' };

function gauge(otelName: string, unit: string, help: string, points: MetricDefinition['points']): MetricDefinition {
  return { otelName, unit, promName: otelName.replaceAll('.', '_') + UNIT_SUFFIX[unit], help, points };
}

export const METRICS: readonly MetricDefinition[] = [
  gauge('process.memory.usage', 'By', 'The amount of physical memory in use (RSS), bytes.', (f) => one(f.rssBytes)),
  gauge('process.cpu.utilization', '1', 'CPU time over wall time since the previous sample, divided by the number of CPUs (0 to 1).', (f) => one(f.cpuUtilization)),
  gauge(
    'leaktop.memory.growth',
    'By/s',
    'Growth over the growth window as the verdict judges it, bytes per second: memory="rss", "heap_floor" (the post-GC heap, with --heap), "external", or "native" (RSS not explained by heap + external).',
    (f) => (Object.entries(GROWTH_LABELS) as Array<[keyof ProcessFigures['growth'], string]>).flatMap(([field, memory]) => one(f.growth[field]).map((p) => ({ ...p, attributes: { memory } }))),
  ),
  gauge('leaktop.memory.growth.verdict', '', `What grows, as leaktop judges it: 1 for the verdict label that holds (${VERDICTS.join(', ')}), 0 for the others.`, (f) =>
    f.verdict === null ? [] : VERDICTS.map((verdict) => ({ attributes: { verdict }, value: verdict === f.verdict ? 1 : 0 })),
  ),
  gauge('leaktop.memory.growth.holds', '', 'Whether memory grew all along the growth window (1) or not (0); 1 also when growth holds but its kind is unsure (no --heap).', (f) =>
    f.growthHolds === null ? [] : [{ value: f.growthHolds ? 1 : 0 }],
  ),
  gauge('leaktop.memory.limit', 'By', "The memory the process can use at most: its memory cgroup's tightest limit, else the host's RAM, bytes.", (f) => one(f.limitBytes)),
  gauge('v8js.memory.heap.used', 'By', 'V8 heap memory used, bytes (with --heap).', (f) => one(f.heapUsedBytes)),
  gauge('v8js.memory.heap.limit', 'By', 'V8 heap memory reserved (heap total), bytes (with --heap).', (f) => one(f.heapTotalBytes)),
];

/** The place of a process (its cgroup's container and unit, as the sampler read them), as labels. */
export function placeOf(sample: { container?: ContainerRef | null; unit?: string | null }): ProcessPlace {
  const text = (value: string | null | undefined) => (value ? value : null);
  return { containerId: text(sample.container?.id), containerRuntime: text(sample.container?.runtime), podUid: text(sample.container?.pod), unit: text(sample.unit) };
}

/** Every label a series may carry (prom-client wants them declared). */
export const LABEL_NAMES = ['pid', 'command', 'container', 'container_runtime', 'pod_uid', 'unit', 'verdict', 'memory'] as const;

/** Longest command label written: a full command line can be kilobytes, and each distinct value is a new series. */
export const MAX_COMMAND_LABEL = 200;

/** The labels that name a process's series: pid, command (unless redacted), container, runtime, pod and unit where known. */
export function processLabels(figures: ProcessFigures): Record<string, string> {
  const labels: Record<string, string> = { pid: String(figures.pid) };
  if (figures.command !== null) labels.command = figures.command.length > MAX_COMMAND_LABEL ? `${figures.command.slice(0, MAX_COMMAND_LABEL - 1)}…` : figures.command;
  const { containerId, containerRuntime, podUid, unit } = figures.place;
  if (containerId) labels.container = containerId;
  if (containerRuntime) labels.container_runtime = containerRuntime;
  if (podUid) labels.pod_uid = podUid;
  if (unit) labels.unit = unit;
  return labels;
}

/** The OpenTelemetry attribute names of the same labels (semantic conventions: process.pid, process.command_line …). */
export const OTEL_ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  pid: 'process.pid',
  command: 'process.command_line',
  container: 'container.id',
  container_runtime: 'container.runtime',
  pod_uid: 'k8s.pod.uid',
  unit: 'systemd.unit',
  verdict: 'leaktop.verdict',
  memory: 'leaktop.memory.kind',
};
