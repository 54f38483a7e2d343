/**
 * `leaktop serve` scraped by a real Prometheus (Debian's package, started here on a free loopback port, scraping
 * every second), with a heap-leaking and a steady fixture: the figures Prometheus stores, the verdicts, and the
 * example alerting rule evaluated by that Prometheus.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { removeAtExit } from '../helpers/exit-cleanup.js';
import { privateRuntimeDir } from '../helpers/left-open.js';
import { ports } from '../helpers/ports.js';
import { killAllServes, procRssBytes, startPrometheus, startServe, type Prometheus, type Serve } from '../helpers/serve.js';
import { fixture, killAllTargets, repoRoot, startNodeTarget, startTarget, type Target } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

let leaking: Target;
let steady: Target;
let serve: Serve;
let prometheus: Prometheus;
let ruleDir: string | undefined;
const runtime = privateRuntimeDir();

/** The example rules with `for:` cut to 2 s, so that the test sees them fire. */
function shortRules(): string {
  ruleDir = tempDir('leaktop-rules-test-');
  removeAtExit(ruleDir);
  const text = readFileSync(join(repoRoot, 'examples/prometheus/leaktop-rules.yml'), 'utf8').replace(/for: \d+m/g, 'for: 2s');
  const file = join(ruleDir, 'rules.yml');
  writeFileSync(file, text);
  return file;
}

before(async () => {
  leaking = await startTarget(process.execPath, ['--max-semi-space-size=1', fixture('heap-grower.cjs')]);
  steady = await startNodeTarget('idle.cjs');
  // --heap: the verdict tells heap growth from the rest only with heap figures. --pid: no other process is touched.
  serve = await startServe(['--listen', '127.0.0.1:0', '--interval', '0.5', '--heap', '--growth-window', '20', '--pid', String(leaking.pid), '--pid', String(steady.pid)], runtime.env);
  prometheus = await startPrometheus(`127.0.0.1:${serve.port}`, [shortRules()]);
});

after(async () => {
  try {
    await prometheus?.stop();
    await killAllServes();
    await killAllTargets();
  } finally {
    // Undefined when a `before` step failed before the rules were written.
    if (ruleDir !== undefined) rmSync(ruleDir, { recursive: true, force: true });
    rmSync(runtime.dir, { recursive: true, force: true });
  }
});

/** Queries until `check` holds of the result (every 500 ms), failing with `what` after `timeoutMs`. */
async function queryUntil(expr: string, check: (result: Awaited<ReturnType<Prometheus['query']>>) => boolean, what: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await prometheus.query(expr);
    if (check(result)) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${expr} = ${JSON.stringify(result)}\n${serve.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

test("Prometheus stores the leaking process's RSS within 10 % of /proc", async () => {
  const [series] = await queryUntil(`process_memory_usage_bytes{pid="${leaking.pid}"}`, (r) => r.length === 1, 'the RSS series');
  const stored = Number(series!.value[1]);
  const proc = procRssBytes(leaking.pid);
  assert.ok(Math.abs(stored - proc) <= proc * 0.1, `Prometheus ${stored} vs /proc ${proc}`);
  assert.equal(series!.metric.job, 'leaktop');
});

test('the verdict is heap for the leaking process and none for the steady one; the growth rates behind it', async () => {
  await queryUntil(`leaktop_memory_growth_verdict{pid="${leaking.pid}",verdict="heap"} == 1`, (r) => r.length === 1, 'the leaking verdict heap');
  await queryUntil(`leaktop_memory_growth_verdict{pid="${steady.pid}",verdict="none"} == 1`, (r) => r.length === 1, 'the steady verdict none');
  const [heapFloor] = await queryUntil(`leaktop_memory_growth_bytes_per_second{pid="${leaking.pid}",memory="heap_floor"}`, (r) => r.length === 1, 'the heap floor rate');
  assert.ok(Number(heapFloor!.value[1]) > 0, `heap floor rate ${heapFloor!.value[1]}`);
  // One verdict at a time per process: exactly one of its five series is 1.
  const counts = await prometheus.query(`count by (pid) (leaktop_memory_growth_verdict{pid=~"${leaking.pid}|${steady.pid}"} == 1)`);
  assert.deepEqual(counts.map((s) => `${s.metric.pid}:${s.value[1]}`).sort(), [`${leaking.pid}:1`, `${steady.pid}:1`].sort());
});

test('the example rule fires for the leaking process only; time to the limit is computed for it', async () => {
  const firing = await queryUntil('ALERTS{alertname="NodeProcessMemoryGrowing",alertstate="firing"}', (r) => r.length > 0, 'the growth alert');
  assert.deepEqual(firing.map((s) => s.metric.pid), [String(leaking.pid)]);
  const [left] = await prometheus.query(`(leaktop_memory_limit_bytes{pid="${leaking.pid}"} - process_memory_usage_bytes) / ignoring (memory) leaktop_memory_growth_bytes_per_second{memory="rss"}`);
  assert.ok(left && Number(left.value[1]) > 0 && Number.isFinite(Number(left.value[1])), `time to limit ${JSON.stringify(left)}`);
  const steadyAlerts = await prometheus.query(`ALERTS{pid="${steady.pid}"}`);
  assert.deepEqual(steadyAlerts, [], 'nothing pending or firing for the steady process');
});

test('SIGTERM: serve exits 0 and leaves no inspector open', async () => {
  assert.equal(ports(leaking.pid).length, 1, 'serve --heap holds an inspector while it runs');
  assert.equal(await serve.stop('SIGTERM'), 0, serve.stderr());
  assert.deepEqual(ports(leaking.pid), []);
  assert.deepEqual(ports(steady.pid), []);
  assert.deepEqual(runtime.registryFiles(), [], 'no inspector left in the registry');
});
