import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { cleanUpContainers, makeDockerLikeCgroup } from '../helpers/container-cgroup.js';
import { memoryCgroupUnavailable } from '../helpers/memory-cgroup.js';
import { ports } from '../helpers/ports.js';
import { freePort, killAllServes, procRssBytes, seriesValue, startServe } from '../helpers/serve.js';
import { waitFor } from '../helpers/signal-log.js';
import { fixture, killAllTargets, repoRoot, runLeaktop, startNodeTarget, startTarget, type Target } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
let idle: Target;
const tempDirs: string[] = [];

before(async () => {
  idle = await startNodeTarget('idle.cjs', ['--serve-test-marker']);
});

after(async () => {
  await killAllServes();
  await killAllTargets();
  await cleanUpContainers();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A temp directory removed by the `after` above (and, should the file be killed, at exit). */
function serveTempDir(): string {
  const dir = tempDir('leaktop-serve-test-');
  tempDirs.push(dir);
  return dir;
}

test('/metrics: one series per Node.js process with RSS (within 10 % of /proc), CPU, labels; no inspector opened; SIGTERM exits 0 and closes the port', async () => {
  const serve = await startServe(['--listen', '127.0.0.1:0', '--interval', '0.5']);
  const pid = String(idle.pid);
  // CPU needs two samples of the process: the second tick.
  const text = await serve.metricsWhen((t) => seriesValue(t, 'process_cpu_utilization_ratio', { pid }) !== undefined, 'a CPU figure for the fixture');
  const rss = seriesValue(text, 'process_memory_usage_bytes', { pid });
  assert.ok(rss !== undefined, `RSS of ${pid} in:\n${text}`);
  const proc = procRssBytes(idle.pid);
  assert.ok(Math.abs(rss - proc) <= proc * 0.1, `RSS ${rss} vs /proc ${proc}`);
  const cpu = seriesValue(text, 'process_cpu_utilization_ratio', { pid });
  assert.ok(cpu !== undefined && cpu >= 0 && cpu <= 1, `CPU ${cpu}`);
  assert.match(text, new RegExp(`process_memory_usage_bytes\\{pid="${pid}",command="[^"]*idle\\.cjs --serve-test-marker"\\}`));
  assert.match(text, /# TYPE leaktop_memory_growth_verdict gauge/);
  assert.ok((seriesValue(text, 'leaktop_memory_limit_bytes', { pid }) ?? 0) > 0, 'a memory limit');
  assert.equal(seriesValue(text, 'v8js_memory_heap_used_bytes', { pid }), undefined, 'no heap figures without --heap');
  assert.doesNotMatch(text, new RegExp(`pid="${serve.pid}"`), 'serve does not list itself');
  assert.deepEqual(ports(idle.pid), [], 'no inspector opened without --heap');
  assert.equal((await fetch(`http://127.0.0.1:${serve.port}/nothing`)).status, 404);
  assert.equal(await serve.stop('SIGTERM'), 0, serve.stderr());
  assert.equal(ports(serve.pid).length, 0);
  await assert.rejects(fetch(`http://127.0.0.1:${serve.port}/metrics`), 'the port is closed');
});

test('a process in a container cgroup is labelled with its container id and runtime (a real cgroup named as docker names one)', { skip: memoryCgroupUnavailable() ?? false }, async () => {
  const group = makeDockerLikeCgroup();
  const [command, args] = group.startInside(process.execPath, [fixture('idle.cjs')]);
  const target = await startTarget(command, args);
  const serve = await startServe(['--listen', '127.0.0.1:0', '--interval', '0.5']);
  const pid = String(target.pid);
  const text = await serve.metricsWhen((t) => seriesValue(t, 'process_memory_usage_bytes', { pid }) !== undefined, 'the containerised process');
  assert.match(text, new RegExp(`process_memory_usage_bytes\\{pid="${pid}",command="[^"]*",container="${group.id}",container_runtime="docker"\\}`));
  assert.doesNotMatch(text, new RegExp(`pid="${idle.pid}"[^}]*container=`), 'a host process has no container label');
  assert.equal(await serve.stop('SIGTERM'), 0, serve.stderr());
  await target.kill();
  await group.remove();
});

test('--no-command leaves command lines out; SIGINT exits 0', async () => {
  const serve = await startServe(['--listen', '127.0.0.1:0', '--no-command']);
  const text = await serve.metrics();
  assert.ok(seriesValue(text, 'process_memory_usage_bytes', { pid: String(idle.pid) }) !== undefined, text);
  assert.doesNotMatch(text, /command=/);
  assert.doesNotMatch(text, /serve-test-marker/);
  assert.equal(await serve.stop('SIGINT'), 0, serve.stderr());
});

test('--textfile: leaktop.prom written atomically, valid for promtool check metrics, removed on exit', async () => {
  const dir = serveTempDir();
  const serve = await startServe(['--no-listen', '--textfile', dir, '--interval', '0.25']);
  const file = join(dir, 'leaktop.prom');
  assert.ok(existsSync(file), 'written before serve says it runs');
  // Rewritten every tick: reading it many times never finds a half-written file.
  const firstMtime = statSync(file).mtimeMs;
  await waitFor(() => existsSync(file) && statSync(file).mtimeMs > firstMtime, 'a second write', 10_000);
  for (let i = 0; i < 20; i++) {
    const text = readFileSync(file, 'utf8');
    assert.ok(text.endsWith('\n') && seriesValue(text, 'process_memory_usage_bytes', { pid: String(idle.pid) }) !== undefined, `a whole file:\n${text}`);
  }
  const check = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = execFile('promtool', ['check', 'metrics'], (error, out, err) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: out + err }));
    child.stdin!.end(readFileSync(file));
  });
  assert.equal(check.code, 0, check.out);
  assert.equal(statSync(file).mode & 0o777, 0o644);
  assert.equal(serve.port, null, 'no HTTP endpoint with --no-listen');
  assert.equal(await serve.stop('SIGTERM'), 0, serve.stderr());
  assert.deepEqual(readdirSync(dir), [], 'the file and no temporary left');
});

test('--otlp: a loopback OTLP/HTTP receiver gets the same figures as JSON', async () => {
  const bodies: unknown[] = [];
  const receiver = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (c: Buffer) => (body += c.toString()));
    request.on('end', () => {
      if (request.url === '/v1/metrics' && request.headers['content-type']?.includes('json')) bodies.push(JSON.parse(body));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  const { port } = receiver.address() as { port: number };
  try {
    const serve = await startServe(['--listen', '127.0.0.1:0', '--otlp', `http://127.0.0.1:${port}`, '--interval', '0.5']);
    await waitFor(() => bodies.length >= 2, 'two OTLP pushes', 20_000);
    const text = await serve.metrics();
    assert.equal(await serve.stop('SIGTERM'), 0, serve.stderr());
    type Point = { attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string | number } }>; asDouble?: number; asInt?: string | number };
    type Body = { resourceMetrics: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeMetrics: Array<{ metrics: Array<{ name: string; unit: string; gauge?: { dataPoints: Point[] } }> }> }> };
    const last = bodies.at(-1) as Body;
    const metrics = last.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    assert.ok(last.resourceMetrics[0]!.resource.attributes.some((a) => a.key === 'service.name' && a.value.stringValue === 'leaktop'));
    const rssMetric = metrics.find((m) => m.name === 'process.memory.usage');
    assert.equal(rssMetric?.unit, 'By');
    const point = rssMetric?.gauge?.dataPoints.find((p) => p.attributes.some((a) => a.key === 'process.pid' && Number(a.value.intValue) === idle.pid));
    assert.ok(point, `process.memory.usage of ${idle.pid} in ${JSON.stringify(rssMetric)}`);
    const otlpRss = Number(point.asInt ?? point.asDouble);
    const promRss = seriesValue(text, 'process_memory_usage_bytes', { pid: String(idle.pid) })!;
    assert.ok(Math.abs(otlpRss - promRss) <= promRss * 0.1, `OTLP ${otlpRss} vs /metrics ${promRss}`);
    assert.ok(Math.abs(otlpRss - procRssBytes(idle.pid)) <= otlpRss * 0.1);
    assert.ok(point.attributes.some((a) => a.key === 'process.command_line' && a.value.stringValue?.includes('--serve-test-marker')));
    assert.ok(metrics.some((m) => m.name === 'process.cpu.utilization'));
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});

test('--heap: V8 heap figures; the inspector it opened is closed on SIGTERM', async () => {
  const target = await startNodeTarget('idle.cjs');
  const serve = await startServe(['--listen', '127.0.0.1:0', '--interval', '0.5', '--heap', '--pid', String(target.pid)]);
  const text = await serve.metricsWhen((t) => seriesValue(t, 'v8js_memory_heap_used_bytes', { pid: String(target.pid) }) !== undefined, 'heap figures');
  const used = seriesValue(text, 'v8js_memory_heap_used_bytes', { pid: String(target.pid) });
  const limit = seriesValue(text, 'v8js_memory_heap_limit_bytes', { pid: String(target.pid) });
  assert.ok(used !== undefined && limit !== undefined && used > 0 && used <= limit, `heap ${used} of ${limit}\n${serve.stderr()}`);
  assert.deepEqual([...text.matchAll(/^process_memory_usage_bytes\{pid="(\d+)"/gm)].map((m) => Number(m[1])), [target.pid], 'only the --pid process');
  assert.deepEqual(ports(idle.pid), [], 'no inspector in a process not exported');
  assert.equal(ports(target.pid).length, 1, 'an inspector is open while serving');
  assert.equal(await serve.stop('SIGTERM'), 0, serve.stderr());
  assert.deepEqual(ports(target.pid), [], 'closed on exit');
  await target.kill();
});

test('without --heap a rising RSS holds as growth of unsure kind (no heap figures to tell which), and no inspector is opened', async () => {
  const leaky = await startNodeTarget('leaky.cjs');
  const pid = String(leaky.pid);
  const serve = await startServe(['--listen', '127.0.0.1:0', '--interval', '0.5', '--growth-window', '10', '--pid', pid]);
  const text = await serve.metricsWhen((t) => seriesValue(t, 'leaktop_memory_growth_holds', { pid }) === 1, 'growth that holds', 60_000);
  assert.equal(seriesValue(text, 'leaktop_memory_growth_verdict', { pid, verdict: 'unsure' }), 1, text);
  assert.ok(seriesValue(text, 'leaktop_memory_growth_bytes_per_second', { pid, memory: 'rss' })! > 0);
  assert.equal(seriesValue(text, 'leaktop_memory_growth_bytes_per_second', { pid, memory: 'heap_floor' }), undefined);
  assert.deepEqual(ports(leaky.pid), []);
  assert.equal(await serve.stop('SIGTERM'), 0, serve.stderr());
  await leaky.kill();
});

test('bad input: one line, non-zero exit, no stack', async () => {
  const port = await freePort();
  const taken = await startServe(['--listen', `127.0.0.1:${port}`]);
  const cases: Array<[string[], number, RegExp]> = [
    [['serve', '--listen', 'example.com:9465'], 2, /give an IP address, not a host name/],
    [['serve', '--listen', '127.0.0.1:99999'], 2, /is not an address/],
    [['serve', '--otlp', 'ftp://127.0.0.1/x'], 2, /is not an http\(s\) URL/],
    [['serve', '--no-listen'], 2, /needs --textfile DIR or --otlp URL/],
    [['serve', '--listen', `127.0.0.1:${port}`], 1, /the port is taken/],
    [['serve', '--no-listen', '--textfile', join(serveTempDir(), 'missing')], 1, /cannot write .*leaktop\.prom: ENOENT/],
  ];
  try {
    for (const [args, code, message] of cases) {
      const result = await runLeaktop(args);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack');
    }
  } finally {
    assert.equal(await taken.stop(), 0);
  }
});

test('the example alerting rules pass promtool check rules', async () => {
  const { stdout } = await run('promtool', ['check', 'rules', join(repoRoot, 'examples/prometheus/leaktop-rules.yml')], { encoding: 'utf8' });
  assert.match(stdout, /SUCCESS: 2 rules found/);
});
