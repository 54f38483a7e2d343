/**
 * `leaktop alloc -o FILE.pb.gz` and `--push URL` end to end, against real children that leak from one known function
 * and make ten times as much garbage from another (test/fixtures/targets/alloc-sites.cjs): the file decodes with
 * pprof-format (and with `go tool pprof` when a Go toolchain is on PATH), its top function by live bytes is the
 * leaking one; a push reaches a real HTTP receiver on loopback as Pyroscope's ingest API takes it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ports } from '../helpers/ports.js';
import { goBinary, goPprofTop, readPprof } from '../helpers/pprof.js';
import { askSampling, functionLine } from '../helpers/sampling-probe.js';
import { fixture, killAllTargets, repoRoot, runLeaktop, startNodeTarget, startTarget, type Target } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

const LEAK_LINE = functionLine('alloc-sites.cjs', 'leakSessions');
const mode = (path: string) => statSync(path).mode & 0o777;

/** What leaktop left in and around the target: the sampler stopped, no inspector open. */
async function assertLetGo(target: Target): Promise<void> {
  assert.equal(await askSampling(target), 'inactive', 'the sampler is stopped');
  assert.deepEqual(ports(target.pid), [], 'the inspector leaktop opened is closed');
}

/** Runs `fn` with a new temporary directory, removed afterwards whatever happens. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir('leaktop-pprof-');
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `leaktop alloc --pid TARGET ARGS -o DIR/NAME`, which must succeed: its stdout and the decoded file. */
async function allocToFile(target: Target, dir: string, name: string, args: string[], timeoutMs?: number) {
  const file = join(dir, name);
  const { code, stdout, stderr } = await runLeaktop(['alloc', '--pid', String(target.pid), ...args, '-o', file], timeoutMs ? { timeoutMs } : {});
  assert.equal(code, 0, stderr);
  return { file, stdout, pprof: readPprof(readFileSync(file)) };
}

test('-o FILE.pb.gz: a private gzipped pprof of live memory; its top function by live bytes is the leaking one, at its line', (t) =>
  inTempDir(async (dir) => {
    const target = await startNodeTarget('alloc-sites.cjs');
    const { file, stdout, pprof } = await allocToFile(target, dir, 'run.pb.gz', ['--duration', '2', '--interval', '32768', '--json']);
    const report = JSON.parse(stdout) as { totalBytes: number; sites: Array<{ functionName: string }>; profilePath: string };
    assert.equal(report.profilePath, file);
    assert.deepEqual(readdirSync(dir), ['run.pb.gz'], 'no .partial left');
    assert.equal(mode(file), 0o600);

    assert.deepEqual([...readFileSync(file).subarray(0, 2)], [0x1f, 0x8b], 'gzipped');
    assert.deepEqual(pprof.sampleTypes, ['inuse_objects/count', 'inuse_space/bytes']);
    assert.equal(pprof.defaultSampleType, 'inuse_space');
    assert.equal(Number(pprof.profile.period), 32768);
    const [top] = pprof.flat;
    assert.deepEqual([top?.name, top?.file, top?.line], ['leakSessions', fixture('alloc-sites.cjs'), LEAK_LINE], JSON.stringify(pprof.flat.slice(0, 3)));
    assert.ok(top!.objects > 0);
    assert.ok(!pprof.flat.slice(0, 1).some((row) => row.name === 'makeGarbage'), 'garbage is not live memory');
    // The same live memory as the text report, within the rounding of V8's per-node sums.
    assert.ok(Math.abs(pprof.totalBytes - report.totalBytes) <= 0.01 * report.totalBytes, `${pprof.totalBytes} vs ${report.totalBytes}`);
    assert.match(pprof.comments.join('\n'), /still alive at its end/);

    const go = goBinary();
    if (go) assert.match(goPprofTop(go, file), /^leakSessions\b/);
    else t.diagnostic('no Go toolchain on PATH: go tool pprof not run');
    await assertLetGo(target);
  }));

test('--compare -o: the pprof holds what the second half allocated and kept, not the whole run', () =>
  inTempDir(async (dir) => {
    const target = await startNodeTarget('alloc-sites.cjs');
    const { stdout, pprof } = await allocToFile(target, dir, 'second-half.pprof', ['--duration', '3', '--interval', '16384', '--compare', '--json']);
    const report = JSON.parse(stdout) as { totalBytes: number; totalBytesBefore: number };
    assert.equal(pprof.flat[0]?.name, 'leakSessions');
    // The leak grows steadily: the second half kept about half of what the whole run kept; the half-way profile
    // held the rest. Far from the whole, as a profile without the cut would be.
    assert.ok(pprof.totalBytes > 0 && pprof.totalBytes < 0.8 * report.totalBytes, `${pprof.totalBytes} of ${report.totalBytes}`);
    assert.ok(report.totalBytesBefore > 0.2 * report.totalBytes, 'the first half kept some too');
    assert.match(pprof.comments.join('\n'), /second half .* \(--compare\)/);
    await assertLetGo(target);
  }));

test("a big profile (3,000 functions in 300 scripts, stacks past V8's 128 frames): every function, the same top as the report", () =>
  inTempDir(async (dir) => {
    const target = await startNodeTarget('many-sites.cjs');
    const { stdout, pprof } = await allocToFile(target, dir, 'big.pb.gz', ['--duration', '2', '--interval', '4096', '--json'], 60_000);
    const report = JSON.parse(stdout) as { totalBytes: number; sites: Array<{ functionName: string; url: string; line: number }> };
    const str = (i: number | bigint) => pprof.profile.stringTable.strings[Number(i)]!;
    const functions = pprof.profile.function.map((f) => ({ name: str(f.name), file: str(f.filename) }));
    assert.ok(functions.filter((f) => f.file.startsWith('/virtual/app/module-')).length > 1500, `${functions.length} functions`);
    assert.deepEqual(functions.filter((f) => f.file === ''), [], 'builtins (push) are folded into their callers');
    const depths = pprof.profile.sample.map((sample) => sample.locationId.length);
    assert.ok(Math.max(...depths) > 100 && Math.max(...depths) <= 128, `deepest stack ${Math.max(...depths)}`);
    // The report's sites are the pprof's flat functions: the same first one, and the same live bytes.
    const [site] = report.sites;
    assert.deepEqual([pprof.flat[0]?.name, pprof.flat[0]?.line], [site?.functionName, site?.line]);
    assert.ok(Math.abs(pprof.totalBytes - report.totalBytes) <= 0.01 * report.totalBytes, `${pprof.totalBytes} vs ${report.totalBytes}`);
    await assertLetGo(target);
  }));

test('an ES module: file:// URLs become paths, so pprof -list finds the source', () =>
  inTempDir(async (dir) => {
    const target = await startNodeTarget('version-leak.mjs');
    const [top] = (await allocToFile(target, dir, 'esm.pb.gz', ['--duration', '1.5', '--interval', '8192'])).pprof.flat;
    assert.deepEqual([top?.name, top?.file, top?.line], ['leakTick', fixture('version-leak.mjs'), functionLine('version-leak.mjs', 'leakTick')]);
    await assertLetGo(target);
  }));

describe('targets on Node 18, 22, 24 and 26', () => {
  for (const major of [18, 22, 24, 26]) {
    const bin = `${repoRoot}node_modules/node${major}/bin/node`;
    test(`Node ${major}: the pprof names the leaking function at its line`, { skip: existsSync(bin) ? false : `no ${bin} (npm ci)` }, () =>
      inTempDir(async (dir) => {
        const target = await startTarget(bin, [fixture('alloc-sites.cjs')]);
        const [top] = (await allocToFile(target, dir, `node${major}.pb.gz`, ['--duration', '1.5', '--interval', '32768'])).pprof.flat;
        assert.deepEqual([top?.name, top?.line], ['leakSessions', LEAK_LINE]);
        await assertLetGo(target);
      }));
  }
});

/** A request as the receiver got it. */
interface Received {
  method: string;
  url: URL;
  contentType: string;
  authorization: string | undefined;
  body: Buffer;
}

/** An HTTP receiver on loopback answering every request with `status`; resolves each request it got. */
async function startReceiver(status: number, answer = ''): Promise<{ server: Server; url: string; requests: Received[]; next: Promise<Received> }> {
  const requests: Received[] = [];
  let deliver: (r: Received) => void = () => undefined;
  const next = new Promise<Received>((resolve) => (deliver = resolve));
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), contentType: req.headers['content-type'] ?? '', authorization: req.headers.authorization, body: Buffer.concat(chunks) };
      requests.push(received);
      deliver(received);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, next };
}

/** The `profile` part of a multipart/form-data body. */
function profilePart(received: Received): Buffer {
  const boundary = /boundary=([^;]+)/.exec(received.contentType)?.[1];
  assert.ok(boundary, received.contentType);
  const body = received.body.toString('latin1');
  const parts = body.split(`--${boundary}`).slice(1, -1);
  assert.equal(parts.length, 1, 'one part');
  const [part] = parts;
  const headerEnd = part!.indexOf('\r\n\r\n');
  assert.match(part!.slice(0, headerEnd), /Content-Disposition: form-data; name="profile"/);
  return Buffer.from(part!.slice(headerEnd + 4, -2), 'latin1'); // without the CRLF before the next boundary
}

test('--push: one POST to /ingest with the name, the process labels, the run times and the profile as a multipart part', async () => {
  const receiver = await startReceiver(200);
  try {
    const target = await startNodeTarget('alloc-sites.cjs', ['pushed']);
    const before = Math.floor(Date.now() / 1000);
    const { code, stdout, stderr } = await runLeaktop(['alloc', '--pid', String(target.pid), '--duration', '1.5', '--interval', '32768', '--push', receiver.url, '--app', 'leaktop_test']);
    const afterRun = Math.ceil(Date.now() / 1000);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /leakSessions/, 'the report is printed as without --push');
    assert.equal(receiver.requests.length, 1);
    const [request] = receiver.requests;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.authorization, undefined, 'no credentials, no auth header');
    assert.equal(request!.url.pathname, '/ingest');
    const query = request!.url.searchParams;
    assert.equal(query.get('name'), `leaktop_test{pid=${target.pid},command=${process.execPath} ${fixture('alloc-sites.cjs')} pushed}`);
    assert.equal(query.get('format'), 'pprof');
    const from = Number(query.get('from'));
    const until = Number(query.get('until'));
    assert.ok(before <= from && from <= until && until <= afterRun && until - from >= 1, `${from}..${until} in ${before}..${afterRun}`);
    assert.match(request!.contentType, /^multipart\/form-data; boundary=/);
    const pprof = readPprof(profilePart(request!));
    assert.equal(pprof.flat[0]?.name, 'leakSessions');
    await assertLetGo(target);
  } finally {
    receiver.server.close();
  }
});

test('--push refused (HTTP 400) or unreachable: the report, then one line saying so, exit 1; -o kept', async () => {
  const refusing = await startReceiver(400, 'invalid profile: unknown sample type\n');
  const dir = tempDir('leaktop-pprof-');
  try {
    const target = await startNodeTarget('alloc-sites.cjs');
    const file = join(dir, 'kept.pb.gz');
    // Credentials in the URL go as HTTP basic auth, and are never shown.
    const withCredentials = refusing.url.replace('http://', 'http://tenant%3A7:s3cr%40t@');
    const refused = await runLeaktop(['alloc', '--pid', String(target.pid), '--duration', '1', '--json', '-o', file, '--push', `${withCredentials}/pyro/`]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.ok(refused.stdout.startsWith('{"pid":'), `the report was printed first; stderr: ${refused.stderr}`);
    assert.match(refused.stderr, new RegExp(`^leaktop: ${refusing.url}/pyro/ingest refused the profile: HTTP 400 \\(invalid profile: unknown sample type\\)\\n`));
    assert.ok(!refused.stderr.includes('    at '), refused.stderr);
    assert.equal(refusing.requests[0]?.url.pathname, '/pyro/ingest');
    assert.equal(refusing.requests[0]?.authorization, `Basic ${Buffer.from('tenant:7:s3cr@t').toString('base64')}`);
    assert.ok(!refused.stderr.includes('s3cr'), refused.stderr);
    assert.ok(readPprof(readFileSync(file)).flat.length > 0, 'the file is written before the push');

    const closed = refusing.url;
    await new Promise<void>((resolve) => refusing.server.close(() => resolve()));
    const unreachable = await runLeaktop(['alloc', '--pid', String(target.pid), '--duration', '0.5', '--push', closed]);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, new RegExp(`^leaktop: could not push the profile to ${closed}/ingest: ECONNREFUSED\\n`));
    await assertLetGo(target);
  } finally {
    refusing.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a --push that is not an http URL, or a bad --app: exit 2 with one line, before attaching', async () => {
  const target = await startNodeTarget('alloc-sites.cjs');
  for (const args of [['--push', 'pyroscope:4040'], ['--push', 'http://127.0.0.1:1', '--app', 'my app']]) {
    const { code, stdout, stderr } = await runLeaktop(['alloc', '--pid', String(target.pid), '--duration', '1', ...args]);
    assert.equal(code, 2, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, /^leaktop: cannot push to .*\n/);
    assert.equal(stderr.split('\n').filter((l) => l.startsWith('leaktop:')).length, 1, stderr);
  }
  assert.deepEqual(ports(target.pid), [], 'nothing was opened');
});

test('unwritable -o: a missing directory is refused before attaching; a full file system mid-write leaves nothing behind', async () => {
  const target = await startNodeTarget('alloc-sites.cjs');
  const missing = await runLeaktop(['alloc', '--pid', String(target.pid), '--duration', '1', '-o', '/nonexistent-leaktop-dir/run.pb.gz']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^leaktop: cannot write the profile '\/nonexistent-leaktop-dir\/run\.pb\.gz': the directory '\/nonexistent-leaktop-dir' is missing or not writable\n/);
  assert.deepEqual(ports(target.pid), [], 'refused before attaching');

  // A real full file system: a 4 KiB tmpfs filled up. Creating the .partial succeeds, writing it fails.
  const dir = tempDir('leaktop-pprof-');
  const mnt = join(dir, 'full');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', mnt]);
  try {
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(4096));
    const full = await runLeaktop(['alloc', '--pid', String(target.pid), '--duration', '1', '-o', join(mnt, 'run.pb.gz')]);
    assert.equal(full.code, 1);
    assert.match(full.stderr, new RegExp(`^leaktop: could not write the profile '${mnt}/run\\.pb\\.gz': ENOSPC`));
    assert.ok(!full.stderr.includes('    at '), full.stderr);
    assert.deepEqual(readdirSync(mnt), ['filler'], 'no .partial, no file');
    await assertLetGo(target);
  } finally {
    execFileSync('umount', [mnt]);
    rmSync(dir, { recursive: true, force: true });
  }
});
