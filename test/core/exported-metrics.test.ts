import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LABEL_NAMES, MAX_COMMAND_LABEL, placeOf, METRICS, processLabels, VERDICTS, type ProcessFigures } from '../../src/core/exported-metrics.js';

const figures: ProcessFigures = {
  pid: 42,
  command: 'node server.js',
  place: {},
  rssBytes: 100,
  cpuUtilization: 0.25,
  growth: { rss: 2048, heapFloor: null, external: null, native: null },
  verdict: 'heap',
  growthHolds: true,
  limitBytes: 1000,
  heapUsedBytes: null,
  heapTotalBytes: null,
};
const metric = (promName: string) => METRICS.find((m) => m.promName === promName)!;

test('names: OpenTelemetry semantic conventions as Prometheus translates them, with the unit as suffix', () => {
  assert.deepEqual(
    METRICS.map((m) => `${m.otelName} ${m.unit} ${m.promName}`),
    [
      'process.memory.usage By process_memory_usage_bytes',
      'process.cpu.utilization 1 process_cpu_utilization_ratio',
      'leaktop.memory.growth By/s leaktop_memory_growth_bytes_per_second',
      'leaktop.memory.growth.verdict  leaktop_memory_growth_verdict',
      'leaktop.memory.growth.holds  leaktop_memory_growth_holds',
      'leaktop.memory.limit By leaktop_memory_limit_bytes',
      'v8js.memory.heap.used By v8js_memory_heap_used_bytes',
      'v8js.memory.heap.limit By v8js_memory_heap_limit_bytes',
    ],
  );
});

test('unknown figures are left out, not written as 0', () => {
  assert.deepEqual(metric('leaktop_memory_growth_bytes_per_second').points(figures), [{ value: 2048, attributes: { memory: 'rss' } }]);
  assert.deepEqual(metric('leaktop_memory_growth_bytes_per_second').points({ ...figures, growth: { rss: null, heapFloor: null, external: null, native: null } }), []);
  assert.deepEqual(metric('v8js_memory_heap_used_bytes').points(figures), []);
  assert.deepEqual(metric('process_cpu_utilization_ratio').points({ ...figures, cpuUtilization: null }), []);
  assert.deepEqual(metric('process_memory_usage_bytes').points(figures), [{ value: 100 }]);
});

test('the verdict: one series per kind, 1 for the one that holds; none before a judgement', () => {
  const points = metric('leaktop_memory_growth_verdict').points(figures);
  assert.deepEqual(points.map((p) => p.attributes!.verdict), [...VERDICTS]);
  assert.deepEqual(points.filter((p) => p.value === 1).map((p) => p.attributes!.verdict), ['heap']);
  assert.deepEqual(metric('leaktop_memory_growth_verdict').points({ ...figures, verdict: null }), []);
});

test('labels: pid and command; command redacted or cut; container and unit only when known', () => {
  assert.deepEqual(processLabels(figures), { pid: '42', command: 'node server.js' });
  assert.deepEqual(processLabels({ ...figures, command: null }), { pid: '42' });
  assert.deepEqual(processLabels({ ...figures, place: { containerId: 'ab12', containerRuntime: 'docker', podUid: null, unit: null } }), { pid: '42', command: 'node server.js', container: 'ab12', container_runtime: 'docker' });
  assert.deepEqual(processLabels({ ...figures, place: { unit: 'api.service' } }), { pid: '42', command: 'node server.js', unit: 'api.service' });
  for (const name of Object.keys(processLabels({ ...figures, place: { containerId: 'a', containerRuntime: 'b', podUid: 'c', unit: 'd' } }))) assert.ok((LABEL_NAMES as readonly string[]).includes(name), name);
  const long = processLabels({ ...figures, command: `node ${'x'.repeat(5000)}` }).command!;
  assert.equal(long.length, MAX_COMMAND_LABEL);
  assert.ok(long.endsWith('…'));
});

test("placeOf reads the sampler's container and unit when it has them, nothing when not", () => {
  assert.deepEqual(placeOf({ container: null, unit: null }), { containerId: null, containerRuntime: null, podUid: null, unit: null });
  assert.deepEqual(placeOf({ container: { runtime: 'containerd', id: 'f00d', pod: '1-2' }, unit: null }), { containerId: 'f00d', containerRuntime: 'containerd', podUid: '1-2', unit: null });
  assert.deepEqual(placeOf({ container: null, unit: 'api.service' }), { containerId: null, containerRuntime: null, podUid: null, unit: 'api.service' });
});
