import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import { MAX_COMMAND_LABEL, type ExportTick, type ProcessFigures } from '../../src/core/exported-metrics.js';
import { ExpositionCache } from '../../src/export/exposition.js';
import { MetricsServer } from '../../src/export/metrics-server.js';
import { prometheusRegistry } from '../../src/export/prometheus-registry.js';

const require = createRequire(import.meta.url);
const { Gauge, Registry } = require('prom-client') as typeof PromClient;

function figures(pid: number, command: string | null, rssBytes: number, more: Partial<ProcessFigures> = {}): ProcessFigures {
  return {
    pid,
    command,
    place: {},
    rssBytes,
    cpuUtilization: 0.5,
    growth: { rss: 10, heapFloor: null, external: null, native: 5 },
    verdict: 'native',
    growthHolds: true,
    limitBytes: 1 << 30,
    heapUsedBytes: null,
    heapTotalBytes: null,
    ...more,
  };
}

const lines = (body: Buffer, metric: string) =>
  body
    .toString()
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`));

test('the cached bytes are those of registry.metrics(), two-byte labels and per-series attributes included', async () => {
  let tick: ExportTick = {
    atMs: 1,
    processes: [
      figures(10, 'node server.js', 1000),
      // Cut with '…' (and a non-Latin-1 character): the text is two bytes a character in V8, UTF-8 on the wire.
      figures(11, `node ${'x'.repeat(MAX_COMMAND_LABEL)} ünï`, 2000, { place: { containerId: 'c'.repeat(64), containerRuntime: 'docker', unit: 'app.service' } }),
      figures(12, null, 3000, { verdict: null, growthHolds: null, cpuUtilization: null, heapUsedBytes: 5, heapTotalBytes: 9 }),
    ],
  };
  const registry = prometheusRegistry(() => tick);
  const cache = new ExpositionCache(registry);
  const first = await cache.refresh();
  assert.ok(!(first instanceof Error));
  assert.ok(first.body.equals(Buffer.from(await registry.metrics())), first.body.toString());
  assert.equal(first.contentType, registry.contentType);
  assert.match(first.body.toString(), /leaktop_memory_growth_verdict\{pid="10",command="node server.js",verdict="native"\} 1/);
  assert.match(first.body.toString(), /leaktop_memory_growth_bytes_per_second\{pid="11",command="node x+…",container="c{64}",container_runtime="docker",unit="app.service",memory="native"\} 5/);
  tick = { atMs: 2, processes: [] };
  const empty = await cache.refresh();
  assert.ok(!(empty instanceof Error));
  assert.ok(empty.body.equals(Buffer.from(await registry.metrics())));
  const none = await new ExpositionCache(new Registry()).refresh();
  assert.ok(!(none instanceof Error) && none.body.toString() === (await new Registry().metrics()), 'an empty registry: a lone newline, as prom-client writes it');
});

test('tick after tick, with label sets formatted once and reused, the bytes stay those of registry.metrics()', async () => {
  const odd = `node "quoted" back\\slash\nnewline ${'y'.repeat(MAX_COMMAND_LABEL)}`;
  let tick: ExportTick = { atMs: 1, processes: [figures(30, 'node a.js', 100), figures(31, odd, 200, { place: { unit: 'x.service' } })] };
  const registry = prometheusRegistry(() => tick);
  const cache = new ExpositionCache(registry);
  const ticks: ExportTick[] = [
    // New values for the same processes (their label sets already formatted), fractions and negative rates.
    { atMs: 2, processes: [figures(30, 'node a.js', 123_456_789, { cpuUtilization: 0.000123, growth: { rss: -1.5e-7, heapFloor: 2.25, external: 0, native: 1e21 } }), figures(31, odd, 201, { verdict: 'heap' })] },
    // A process gone, one new, one whose verdict is not judged yet.
    { atMs: 3, processes: [figures(31, odd, 202, { verdict: 'none', growthHolds: false }), figures(32, 'node c.js', 300, { verdict: null, growthHolds: null })] },
    { atMs: 4, processes: [] },
    { atMs: 5, processes: [figures(30, 'node a.js', 5)] },
  ];
  for (const next of [tick, ...ticks]) {
    tick = next;
    const formatted = await cache.refresh();
    assert.ok(!(formatted instanceof Error));
    assert.equal(formatted.body.toString(), await registry.metrics(), `tick ${next.atMs}`);
  }
});

test('a scrape gets the newest refreshed tick: new figures, gone processes gone, a reused PID with its new command', async () => {
  let tick: ExportTick = { atMs: 1, processes: [figures(20, 'node a.js', 100), figures(21, 'node b.js', 200)] };
  const cache = new ExpositionCache(prometheusRegistry(() => tick));
  await cache.refresh();
  const before = cache.current();
  assert.ok(!(before instanceof Error));
  assert.deepEqual(lines(before.body, 'process_memory_usage_bytes'), ['process_memory_usage_bytes{pid="20",command="node a.js"} 100', 'process_memory_usage_bytes{pid="21",command="node b.js"} 200']);
  tick = { atMs: 2, processes: [figures(20, 'node other.js', 150)] };
  assert.equal(cache.current(), before, 'formatted once per tick: the same bytes until the next refresh');
  const after = await cache.refresh();
  assert.ok(!(after instanceof Error));
  assert.deepEqual(lines(after.body, 'process_memory_usage_bytes'), ['process_memory_usage_bytes{pid="20",command="node other.js"} 150']);
  assert.deepEqual(lines(after.body, 'leaktop_memory_growth_verdict').length, 5, 'one series per verdict, of the new command only');
  assert.ok(lines(after.body, 'leaktop_memory_growth_verdict').every((line) => line.includes('command="node other.js"')));
});

test('/metrics serves the cached bytes (HEAD: their length, no body); a failed formatting answers 500 until one works', async () => {
  const registry = new Registry();
  let failing = false;
  new Gauge({
    name: 'a_metric',
    help: 'a test metric',
    registers: [registry],
    collect() {
      if (failing) throw new Error('collect failed');
      this.set(1);
    },
  });
  const cache = new ExpositionCache(registry);
  const server = await MetricsServer.listen({ host: '127.0.0.1', port: 0 }, cache.current);
  const url = `http://127.0.0.1:${server.address.port}/metrics`;
  try {
    assert.equal((await fetch(url)).status, 500, 'nothing formatted yet');
    await cache.refresh();
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), registry.contentType);
    const text = await response.text();
    assert.equal(text, await registry.metrics());
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(text)));
    assert.equal(await head.text(), '');
    failing = true;
    assert.ok((await cache.refresh()) instanceof Error);
    const failed = await fetch(url);
    assert.equal(failed.status, 500);
    assert.match(await failed.text(), /collect failed/);
    failing = false;
    await cache.refresh();
    assert.equal((await fetch(url)).status, 200);
  } finally {
    await server.close();
  }
});
