/**
 * A real Docker container: an image made here with `docker import` from a tarball of this machine's Node binary,
 * the libraries it links and a fixture (no registry pulls), run with a memory limit. leaktop attaches through its
 * relay into the container's network namespace: gc, snapshot, diff --pid and alloc work and leave nothing open.
 * Skipped, saying why, where no Docker daemon answers (CI does not need one).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { privateRuntimeDir } from '../helpers/left-open.js';
import { assertNothingLeft } from '../helpers/netns-target.js';
import { waitFor } from '../helpers/signal-log.js';
import { fixture, runLeaktop } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

const runtime = privateRuntimeDir();
const { env, registryFiles } = runtime;
const image = `leaktop-test-node:${process.pid}`;
const container = `leaktop-test-${process.pid}`;

/** Why no container can run here, or null when a Docker daemon answers (root, docker on PATH, `docker info` works). */
function dockerUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10_000 });
  if (info.error) return `no docker client (${info.error.message})`;
  if (info.status !== 0) return `no Docker daemon answers: ${(info.stderr || info.stdout).trim().split('\n').pop()}`;
  return null;
}
const skip = dockerUnavailable() ?? false;

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', timeout: 60_000 }).trim();

after(() => {
  spawnSync('docker', ['rm', '-f', container], { timeout: 30_000 });
  spawnSync('docker', ['rmi', '-f', image], { timeout: 30_000 });
  rmSync(runtime.dir, { recursive: true, force: true });
});

/** A root filesystem with our Node binary at /usr/bin/node, every library `ldd` names, and the fixture in /app. */
function imageTarball(dir: string): string {
  const root = join(dir, 'root');
  const files = [process.execPath];
  for (const line of execFileSync('ldd', [process.execPath], { encoding: 'utf8' }).split('\n')) {
    const path = /(?:=> )?(\/\S+) \(0x/.exec(line)?.[1];
    if (path) files.push(path);
  }
  for (const file of files) {
    const to = join(root, file === process.execPath ? '/usr/bin/node' : file);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(file, to);
  }
  mkdirSync(join(root, 'app'));
  mkdirSync(join(root, 'tmp'));
  copyFileSync(fixture('leak-mix.cjs'), join(root, 'app/leak-mix.cjs'));
  const tarball = join(dir, 'image.tar');
  execFileSync('tar', ['-C', root, '-cf', tarball, '.']);
  return tarball;
}

describe('a process in a Docker container', { skip }, () => {
  it('gc, snapshot, diff --pid and alloc reach it from the host through the relay', async () => {
    const dir = tempDir('leaktop-docker-');
    try {
      docker('import', imageTarball(dir), image);
      docker('run', '-d', '--name', container, '--memory', '512m', image, '/usr/bin/node', '/app/leak-mix.cjs');
      await waitFor(() => spawnSync('docker', ['logs', container], { encoding: 'utf8' }).stdout.includes('ready'), 'the container to be ready', 20_000);
      const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', container));
      assert.ok(pid > 0);
      assert.match(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`/docker/${docker('inspect', '-f', '{{.Id}}', container)}`));

      const gc = await runLeaktop(['gc', String(pid), '--json'], { env });
      assert.equal(gc.code, 0, gc.stderr);
      assert.equal((JSON.parse(gc.stdout) as { inspectorOpenedByLeaktop: boolean }).inspectorOpenedByLeaktop, true);
      await assertNothingLeft(pid, registryFiles);

      const file = join(dir, 'container.heapsnapshot');
      const snapshot = await runLeaktop(['snapshot', String(pid), '-o', file], { env, timeoutMs: 60_000 });
      assert.equal(snapshot.code, 0, snapshot.stderr);
      assert.ok((JSON.parse(readFileSync(file, 'utf8')) as { strings: string[] }).strings.includes('LeakedSession'));
      await assertNothingLeft(pid, registryFiles);

      const diff = await runLeaktop(['diff', '--pid', String(pid), '--wait', '1', '--json'], { env, timeoutMs: 60_000 });
      assert.equal(diff.code, 0, diff.stderr);
      assert.match(diff.stdout, /"LeakedSession"/);
      await assertNothingLeft(pid, registryFiles);

      const alloc = await runLeaktop(['alloc', '--pid', String(pid), '--duration', '1', '--interval', '1024', '--json'], { env, timeoutMs: 60_000 });
      assert.equal(alloc.code, 0, alloc.stderr);
      assert.match(alloc.stdout, /\/app\/leak-mix\.cjs/);
      await assertNothingLeft(pid, registryFiles);
    } finally {
      spawnSync('docker', ['rm', '-f', container], { timeout: 30_000 });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
