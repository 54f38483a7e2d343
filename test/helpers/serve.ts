import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { killAtExit } from './exit-cleanup.js';
import { leaktopBin } from './targets.js';
import { waitFor } from './signal-log.js';
import { removeTempDir, tempDir } from './temp-dir.js';

/** A running `leaktop serve`. */
export interface Serve {
  child: ChildProcess;
  pid: number;
  /** The /metrics port (from its log line); null with --no-listen. */
  port: number | null;
  stderr(): string;
  /** GET /metrics. */
  metrics(): Promise<string>;
  /** GET /metrics until `check` holds of its text (every 100 ms, failing after `timeoutMs`); that text. */
  metricsWhen(check: (text: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Sends `signal` and waits for the exit; the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<Serve>();

/** Starts `leaktop serve ARGS` and waits until it says it runs (its "sampled every" line). */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Serve> {
  const child = spawn(process.execPath, [leaktopBin, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  killAtExit(child, 'SIGTERM');
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(() => err.includes('sampled every') || gone, 'leaktop serve to start', 20_000);
  if (gone) throw new Error(`leaktop serve exited at start: ${err}`);
  const port = /metrics at http:\/\/[^ ]*:(\d+)\/metrics/.exec(err)?.[1];
  const serve: Serve = {
    child,
    pid: child.pid!,
    port: port === undefined ? null : Number(port),
    stderr: () => err,
    async metrics() {
      const response = await fetch(`http://127.0.0.1:${serve.port}/metrics`);
      if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
      return response.text();
    },
    async metricsWhen(check, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = await serve.metrics();
        if (check(text)) return text;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} in /metrics:\n${text}\n${err}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop(signal = 'SIGTERM') {
      running.delete(serve);
      if (!gone) process.kill(child.pid!, signal);
      return exited;
    },
  };
  running.add(serve);
  return serve;
}

/** Ends (SIGKILL) every serve a failed test left running. */
export async function killAllServes(): Promise<void> {
  await Promise.all([...running].map((serve) => serve.stop('SIGKILL')));
}

/**
 * The value of one series in Prometheus exposition text: `metric{labels…} value` whose labels include all of
 * `labels`. Undefined when absent.
 */
export function seriesValue(text: string, metric: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const found = Object.fromEntries([...line.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([name, value]) => found[name] === value)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** RSS of a process from /proc/PID/status (VmRSS), bytes. */
export function procRssBytes(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kib) * 1024;
}

/** A loopback TCP port free right now (the OS's pick, released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A real Prometheus (Debian's /usr/bin/prometheus) started by a test, with its own config and data directory. */
export interface Prometheus {
  url: string;
  /** An instant query; the result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus on a free loopback port scraping `target` (host:port) every second, evaluating `ruleFiles`
 * every second, and waits until it is ready. Never Debian's service (port 9090): its own binary and temp dirs. A test
 * file killed (SIGINT, SIGTERM) or ended before `stop` kills it by PID and removes its directory, which an orphaned
 * Prometheus would go on writing into.
 */
export async function startPrometheus(target: string, ruleFiles: string[] = []): Promise<Prometheus> {
  // Registered before the child is (killAtExit below), so at exit Prometheus is killed before its directory goes.
  const dir = tempDir('leaktop-prometheus-test-');
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    `rule_files: [${ruleFiles.map((f) => JSON.stringify(f)).join(', ')}]`,
    'scrape_configs:',
    '  - job_name: leaktop',
    `    static_configs: [{ targets: ["${target}"] }]`,
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
  // Without the binary, spawn gives no pid and only an 'error' event: say what is missing rather than fail on it.
  if (!existsSync('/usr/bin/prometheus')) {
    removeTempDir(dir);
    throw new Error('/usr/bin/prometheus is not installed: `bash .ci/run` installs it (Debian package prometheus)');
  }
  const child = spawn('/usr/bin/prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  killAtExit(child);
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!gone) process.kill(child.pid!, 'SIGTERM');
    await exited;
    removeTempDir(dir);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) {
      await stop();
      throw new Error(`prometheus exited: ${err}`);
    }
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready in 30 s: ${err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async query(expr) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.json()) as { status: string; error?: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
      return body.data.result;
    },
    stop,
  };
}
