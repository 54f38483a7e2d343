import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { OpenedRegistry } from '../../src/inspector/opened-registry.js';
import { InspectorScanner, type ScanTarget } from '../../src/inspector/scan-inspectors.js';
import { readCmdline } from '../../src/proc/read-cmdline.js';
import { readStat } from '../../src/proc/read-stat.js';
import { isUnavailable } from '../../src/proc/read-file.js';
import { fixture, killAllTargets, repoRoot, startTarget, type Target } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

const registryRoot = tempDir('leaktop-scan-test-');
after(async () => {
  await killAllTargets();
  rmSync(registryRoot, { recursive: true, force: true });
});
const scanner = () => new InspectorScanner({ registry: new OpenedRegistry(join(registryRoot, 'leaktop')), timeoutMs: 5000 });

/** The counting server, its HTTP port and inspector URL, and every request path it has seen so far. */
async function startCountingServer(node: string, nodeArgs: string[] = [], scriptArgs: string[] = []) {
  const target: Target = await startTarget(node, [...nodeArgs, fixture('counting-server.cjs'), ...scriptArgs], { ready: false });
  const hits: string[] = [];
  let out = '';
  let onLine: (() => void) | undefined;
  target.child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const lines = out.split('\n');
    out = lines.pop()!; // a line not finished yet
    for (const line of lines) if (line.startsWith('hit ')) hits.push(line.slice('hit '.length));
    onLine?.();
  });
  const facts = await new Promise<{ httpPort: number; inspectorUrl: string | null }>((resolve) => {
    let seen = '';
    target.child.stdout!.on('data', function ready(chunk: Buffer) {
      seen += chunk.toString();
      const match = /^ready (.*)$/m.exec(seen);
      if (match) {
        target.child.stdout!.off('data', ready);
        resolve(JSON.parse(match[1]!));
      }
    });
  });
  /** Every request the server got before now: a sentinel request is answered after all earlier ones were logged. */
  const hitsSoFar = async () => {
    const sentinel = `/sentinel-${Math.random()}`;
    const seen = new Promise<void>((resolve) => (onLine = () => hits.includes(sentinel) && resolve()));
    // The answer may still be on its way when the test ends and the server is killed: that is no error here.
    get({ host: '127.0.0.1', port: facts.httpPort, path: sentinel, agent: false }, (res) => res.resume()).on('error', () => undefined);
    await seen;
    return hits.filter((h) => !h.startsWith('/sentinel-'));
  };
  return { target, facts, hitsSoFar };
}

function scanTarget(pid: number): ScanTarget {
  const stat = readStat(pid);
  const argv = readCmdline(pid);
  assert.ok(!isUnavailable(stat) && !isUnavailable(argv));
  return { pid, startTimeTicks: stat.startTimeTicks, argv };
}

test('an app server without an inspector is not probed at all', async () => {
  const server = await startCountingServer(process.execPath);
  const found = await scanner().scan([scanTarget(server.target.pid)]);
  assert.equal(found.get(server.target.pid), undefined);
  assert.deepEqual(await server.hitsSoFar(), []);
});

test('a --inspect=127.0.0.1:0 process: its inspector is found; its app port answers once, then is never probed again', async () => {
  const server = await startCountingServer(process.execPath, ['--inspect=127.0.0.1:0']);
  const s = scanner();
  const found = await s.scan([scanTarget(server.target.pid)]);
  const inspector = found.get(server.target.pid);
  assert.equal(inspector?.port, Number(new URL(server.facts.inspectorUrl!).port));
  assert.equal(inspector?.address, '127.0.0.1');
  assert.equal(inspector?.openedBy, 'other');
  assert.equal((await server.hitsSoFar()).length, 1, 'a random inspector port: every socket of the process is a candidate once');
  assert.equal((await s.scan([scanTarget(server.target.pid)])).get(server.target.pid)?.port, inspector?.port);
  assert.equal((await server.hitsSoFar()).length, 1, 'remembered as not an inspector');
});

const versions = ['node18', 'node22', 'node24', 'node26'].map((v) => `${repoRoot}node_modules/${v}/bin/node`).filter(existsSync);
test('an --inspect=127.0.0.1:0 inspector is found on every Node version here', async () => {
  const servers = await Promise.all([process.execPath, ...versions].map((node) => startCountingServer(node, ['--inspect=127.0.0.1:0'])));
  const found = await scanner().scan(servers.map((s) => scanTarget(s.target.pid)));
  for (const server of servers) assert.equal(found.get(server.target.pid)?.port, Number(new URL(server.facts.inspectorUrl!).port), server.target.child.spawnfile);
});

const node24 = `${repoRoot}node_modules/node24/bin/node`;
test('Node 24 names its threads: an inspector opened from code is found by its InspectorIo thread, a plain server is not probed', { skip: !existsSync(node24) && 'no Node 24 here' }, async () => {
  const plain = await startCountingServer(node24);
  const opened = await startCountingServer(node24, [], ['open-inspector']);
  const found = await scanner().scan([scanTarget(plain.target.pid), scanTarget(opened.target.pid)]);
  assert.equal(found.get(plain.target.pid), undefined);
  assert.equal(found.get(opened.target.pid)?.port, Number(new URL(opened.facts.inspectorUrl!).port));
  assert.match(found.get(opened.target.pid)!.nodeVersion, /^v24\./);
  assert.deepEqual(await plain.hitsSoFar(), [], 'no InspectorIo thread: not probed');
});

/** The next line of TARGET's stdout that matches PATTERN (lines already seen are not looked at again). */
function nextLine(target: Target, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve) => {
    let seen = '';
    target.child.stdout!.on('data', function onData(chunk: Buffer) {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        target.child.stdout!.off('data', onData);
        resolve(match);
      }
    });
  });
}

/** Tells an inspector-toggle.cjs target to open (resolves with the port) or close its inspector. */
async function toggle(target: Target, command: 'open' | 'close'): Promise<number | null> {
  const reply = nextLine(target, command === 'open' ? /^opened (\d+)$/m : /^closed$/m);
  target.child.stdin!.write(`${command}\n`);
  const match = await reply;
  return command === 'open' ? Number(match[1]) : null;
}

const portsOf = (found: Map<number, { port: number }>) => new Map([...found].map(([pid, inspector]) => [pid, inspector.port]));

test('an incremental scan finds what a full one finds: an inspector opened, one closed, a process exited, a new process', async () => {
  const start = () => startTarget(process.execPath, ['--inspect-port=127.0.0.1:0', fixture('inspector-toggle.cjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const [opensLater, closesLater, exits] = await Promise.all([start(), start(), start()]);
  const closingPort = await toggle(closesLater, 'open');
  const exitingPort = await toggle(exits, 'open');
  const registry = new OpenedRegistry(join(registryRoot, 'leaktop'));
  // Never a periodic full read here: what is checked is that the remembered mapping alone stays right.
  const incremental = new InspectorScanner({ registry, timeoutMs: 5000, fullReadEvery: Number.MAX_SAFE_INTEGER });
  /** A fresh scanner reads every process's fds: the reference. */
  const full = (targets: ScanTarget[]) => new InspectorScanner({ registry, timeoutMs: 5000 }).scan(targets);
  let targets = [opensLater, closesLater, exits].map((t) => scanTarget(t.pid));
  const both = async () => {
    const found = portsOf(await incremental.scan(targets));
    assert.deepEqual(found, portsOf(await full(targets)), 'incremental and full scans disagree');
    return found;
  };

  assert.deepEqual(await both(), new Map([[closesLater.pid, closingPort], [exits.pid, exitingPort]]));
  // A function: assert.equal narrows a getter's type to the value it asserted.
  const fdReads = (): number => incremental.fdReads;
  assert.equal(fdReads(), 3, 'the first scan reads every process');
  // Nothing changed: no fd is read. Another process of the host may open a listener between two scans (which
  // rightly makes the scanner read every fd again), so this is asked of one of a few scans in a row.
  let quiet = false;
  for (let i = 0; i < 10 && !quiet; i++) {
    assert.deepEqual(await both(), new Map([[closesLater.pid, closingPort], [exits.pid, exitingPort]]));
    quiet = fdReads() === 0;
  }
  assert.ok(quiet, 'a scan that finds the same listeners as the last one reads no /proc/PID/fd');

  const openedPort = await toggle(opensLater, 'open');
  await toggle(closesLater, 'close');
  // inspector.close() has returned: its socket is closed, so the tables no longer list it.
  await exits.kill();
  const newcomer = await start();
  const newcomerPort = await toggle(newcomer, 'open');
  // The exited process stays listed, as in a monitor whose process list is a tick old.
  targets = [...targets, scanTarget(newcomer.pid)];
  assert.deepEqual(await both(), new Map([[opensLater.pid, openedPort], [newcomer.pid, newcomerPort]]));
  // And the other way: nothing new, an inspector closes — the remembered mapping drops it without reading fds.
  await toggle(newcomer, 'close');
  assert.deepEqual(await both(), new Map([[opensLater.pid, openedPort]]));
});
