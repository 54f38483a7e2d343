/**
 * Processes in network namespaces of their own (as in a container: unshare --net --pid --mount, loopback up, in a
 * real memory cgroup): every command attaches from inside the namespace through the relay, closes there what it
 * opened, and leaves no relay behind. Two namespaces' 9229s at once; a leaktop killed mid-session; the refusals
 * without root or nsenter.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ProcessRecord } from '../../src/cli/process-record.js';
import { attachAndKillLeaktop, privateRuntimeDir } from '../helpers/left-open.js';
import { makeMemoryCgroup, memoryCgroupUnavailable, removeAllMemoryCgroups } from '../helpers/memory-cgroup.js';
import { assertNothingLeft, namespaceListeningPorts, namespacesUnavailable, relayPids, startNamespacedTarget } from '../helpers/netns-target.js';
import { ports } from '../helpers/ports.js';
import { assertNoSigusr1, stdoutOf, waitFor } from '../helpers/signal-log.js';
import { fixture, killAllTargets, leaktopBin, repoRoot, runLeaktop, startTarget } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

const runtime = privateRuntimeDir();
const { env, registryFiles } = runtime;
// The in-process attaches below record what they open in the same private registry as the leaktops they run.
process.env.XDG_RUNTIME_DIR = runtime.dir;
const skip = namespacesUnavailable() ?? memoryCgroupUnavailable() ?? false;

after(async () => {
  try {
    await killAllTargets();
    await removeAllMemoryCgroups();
  } finally {
    rmSync(runtime.dir, { recursive: true, force: true });
  }
});

describe('commands on a process in another network namespace', { skip }, () => {
  it('gc, snapshot, diff --pid, leaks --pid and alloc attach from inside its namespace and leave nothing open', async () => {
    const cgroup = makeMemoryCgroup('netns');
    const target = await startNamespacedTarget('leak-mix.cjs', [], cgroup);
    const dir = tempDir('leaktop-netns-');
    try {
      assert.notEqual(readlinkSync(`/proc/${target.pid}/ns/net`), readlinkSync('/proc/self/ns/net'), 'its own network namespace');
      assert.match(readFileSync(`/proc/${target.pid}/status`, 'utf8'), new RegExp(`NSpid:\\s+${target.pid}\\s+1\\n`), 'PID 1 in its own PID namespace');
      assert.ok(readFileSync(`${cgroup.dir}/cgroup.procs`, 'utf8').split('\n').includes(String(target.pid)), 'in the memory cgroup');

      const gc = await runLeaktop(['gc', String(target.pid), '--json'], { env });
      assert.equal(gc.code, 0, gc.stderr);
      const result = JSON.parse(gc.stdout) as { heapUsedBeforeBytes: number; inspectorOpenedByLeaktop: boolean };
      assert.ok(result.heapUsedBeforeBytes > 0 && result.inspectorOpenedByLeaktop, gc.stdout);
      await assertNothingLeft(target.pid, registryFiles);

      const file = join(dir, 'in-namespace.heapsnapshot');
      const snapshot = await runLeaktop(['snapshot', String(target.pid), '-o', file], { env, timeoutMs: 60_000 });
      assert.equal(snapshot.code, 0, snapshot.stderr);
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[] }; node_count: number }; strings: string[] };
      assert.ok(parsed.snapshot.meta.node_fields.includes('self_size') && parsed.snapshot.node_count > 1000, 'a whole heap snapshot');
      assert.ok(parsed.strings.includes('LeakedSession'), "the target's own classes are in it");
      assert.equal(statSync(file).mode & 0o777, 0o600);
      await assertNothingLeft(target.pid, registryFiles);

      const diff = await runLeaktop(['diff', '--pid', String(target.pid), '--wait', '1', '--json'], { env, timeoutMs: 60_000 });
      assert.equal(diff.code, 0, diff.stderr);
      assert.match(diff.stdout, /"LeakedSession"/);
      await assertNothingLeft(target.pid, registryFiles);

      const leaks = await runLeaktop(['leaks', '--pid', String(target.pid), '--interval', '1', '--json'], { env, timeoutMs: 90_000 });
      assert.equal(leaks.code, 0, leaks.stderr);
      assert.match(leaks.stdout, /LeakedSession/);
      await assertNothingLeft(target.pid, registryFiles);

      const alloc = await runLeaktop(['alloc', '--pid', String(target.pid), '--duration', '1', '--interval', '1024', '--json'], { env, timeoutMs: 60_000 });
      assert.equal(alloc.code, 0, alloc.stderr);
      assert.match(alloc.stdout, /leak-mix\.cjs/, 'sites in the target’s own script');
      await assertNothingLeft(target.pid, registryFiles);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await target.kill();
      await cgroup.remove();
    }
  });

  for (const major of [18, 22, 24, 26]) {
    const node = `${repoRoot}node_modules/node${major}/bin/node`;
    it(`a Node ${major} target: gc through the relay (leaktop's own Node 20 runs it)`, { skip: !existsSync(node) && `no ${node} (npm ci)` }, async () => {
      const target = await startNamespacedTarget('idle.cjs', [], undefined, { node });
      try {
        const gc = await runLeaktop(['gc', String(target.pid), '--json'], { env });
        assert.equal(gc.code, 0, gc.stderr);
        assert.equal((JSON.parse(gc.stdout) as { inspectorOpenedByLeaktop: boolean }).inspectorOpenedByLeaktop, true);
        await assertNothingLeft(target.pid, registryFiles);
      } finally {
        await target.kill();
      }
    });
  }

  it('two namespaces, each with an inspector on its own 9229, are attached at once, each to its own', async () => {
    const { InspectorSession } = await import('../../src/inspector/session.js');
    const targets = await Promise.all(['first', 'second'].map((marker) => startNamespacedTarget('idle.cjs', [marker], undefined, { nodeArgs: ['--inspect=127.0.0.1:9229'] })));
    try {
      for (const target of targets) assert.deepEqual(ports(target.pid), [9229]);
      const sessions = await Promise.all(targets.map((target) => InspectorSession.attach(target.pid)));
      const argvs = await Promise.all(
        sessions.map(async (session) => (await session.connection.send('Runtime.evaluate', { expression: 'process.argv.slice(2)', returnByValue: true })).result.value as string[]),
      );
      assert.deepEqual(argvs, [['first'], ['second']], 'each session reached the process of its own namespace');
      assert.deepEqual(sessions.map((s) => [s.port, s.openedByLeaktop]), [[9229, false], [9229, false]]);
      assert.equal(relayPids().length, 2, 'one relay per namespace');
      await Promise.all(sessions.map((session) => session.detach()));
      for (const target of targets) assert.deepEqual(ports(target.pid), [9229], 'their own inspectors are left as found');
      await waitFor(() => relayPids().length === 0, 'the idle relays to end');
    } finally {
      await Promise.all(targets.map((target) => target.kill()));
    }
  });

  it('two namespaces without an inspector: both open one on their own 9229 at the same time (two leaktops)', async () => {
    const targets = await Promise.all([startNamespacedTarget('idle.cjs'), startNamespacedTarget('idle.cjs')]);
    try {
      const runs = await Promise.all(targets.map((target) => runLeaktop(['gc', String(target.pid), '--json'], { env })));
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      for (const target of targets) await assertNothingLeft(target.pid, registryFiles);
    } finally {
      await Promise.all(targets.map((target) => target.kill()));
    }
  });

  it("9229 taken in the target's namespace (not ours) is what activation looks at: one line naming it", async () => {
    const holder = await startNamespacedTarget('idle.cjs', [], undefined, { nodeArgs: ['--inspect=127.0.0.1:9229'] });
    // A second Node process in the holder's network namespace (nsenter execs: the PID is node's).
    const target = await startTarget('/usr/bin/nsenter', [`--net=/proc/${holder.pid}/ns/net`, '--', process.execPath, fixture('idle.cjs')]);
    try {
      assert.equal(readlinkSync(`/proc/${target.pid}/ns/net`), readlinkSync(`/proc/${holder.pid}/ns/net`));
      const run = await runLeaktop(['gc', String(target.pid)], { env });
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.stderr.split('\n')[0], `leaktop: process '${target.pid}' could not open its inspector: port 9229 is taken by another process`);
      assert.deepEqual(ports(target.pid), []);
      await waitFor(() => relayPids().length === 0, 'the relay to exit');
    } finally {
      await target.kill();
      await holder.kill();
    }
  });

  it('leaktop killed mid-session: its relay exits, the inspector stays listed as left open, and close closes it', async () => {
    const target = await startNamespacedTarget('idle.cjs');
    try {
      const { port, leaktopPid } = await attachAndKillLeaktop(target.pid, env);
      await waitFor(() => relayPids().length === 0, 'the relay to exit once its pipe closed');
      assert.deepEqual(ports(target.pid), [port], 'the inspector SIGKILL could not close still listens in the namespace');
      assert.equal(registryFiles().length, 1, 'and is recorded');

      const json = await runLeaktop(['list', '--json'], { env });
      const record = (JSON.parse(json.stdout) as ProcessRecord[]).find((r) => r.pid === target.pid);
      assert.deepEqual(record?.inspector, { address: '127.0.0.1', port, openedBy: 'leaktop-died', leaktopPid });

      const closed = await runLeaktop(['close', String(target.pid)], { env });
      assert.equal(closed.code, 0, closed.stderr);
      assert.equal(closed.stdout, `Closed the inspector of process ${target.pid} on 127.0.0.1:${port}\n`);
      await assertNothingLeft(target.pid, registryFiles);
    } finally {
      await target.kill();
    }
  });
});

/**
 * Why leaktop and its fixture cannot run as another user from this checkout, or null when they can: every directory
 * above it must be searchable by others (a checkout under `mktemp -d`, mode 0700, is not).
 */
function unreadableByOthers(): string | null {
  for (let dir = repoRoot.replace(/\/$/, ''); dir !== ''; dir = dir.slice(0, dir.lastIndexOf('/'))) {
    if ((statSync(dir).mode & 0o001) === 0) return `'${dir}' is not searchable by other users, so leaktop cannot run as uid 65534 from this checkout`;
  }
  return null;
}

describe('refusals when the namespace cannot be entered', { skip }, () => {
  it('without root: one line, the command that would work, and no signal sent', { skip: unreadableByOthers() ?? false }, async () => {
    const nobody = 65534;
    const target = await startNamespacedTarget('idle.cjs', [], undefined, { uid: nobody });
    try {
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [leaktopBin, 'gc', String(target.pid)], { uid: nobody, gid: nobody, env: { ...env, XDG_RUNTIME_DIR: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      assert.equal(run.code, 1);
      assert.deepEqual(run.stderr.trimEnd().split('\n'), [
        `leaktop: process '${target.pid}' runs in another network namespace (a container?), so its inspector is not reachable from here`,
        `As root, leaktop connects from inside that namespace: sudo leaktop gc ${target.pid} (or run leaktop inside the container).`,
      ]);
      assert.deepEqual(namespaceListeningPorts(target.pid), [], 'not signalled: no inspector opened');
    } finally {
      await target.kill();
    }
  });

  it('nsenter refused (as without CAP_SYS_ADMIN): one line saying so, before any signal', async () => {
    const target = await startNamespacedTarget('signal-log.cjs');
    const log = stdoutOf(target);
    const bin = tempDir('leaktop-fake-nsenter-');
    try {
      writeFileSync(join(bin, 'nsenter'), "#!/bin/sh\necho \"nsenter: reassociate to namespace 'ns/net' failed: Operation not permitted\" >&2\nexit 1\n", { mode: 0o755 });
      const run = await runLeaktop(['gc', String(target.pid)], { env: { ...env, PATH: `${bin}:${process.env.PATH}` } });
      assert.equal(run.code, 1);
      assert.equal(
        run.stderr.split('\n')[0],
        `leaktop: could not enter the network namespace of process '${target.pid}': the relay into the network namespace ended: nsenter: reassociate to namespace 'ns/net' failed: Operation not permitted`,
      );
      await assertNoSigusr1(target, log);
      assert.deepEqual(namespaceListeningPorts(target.pid), []);
    } finally {
      await target.kill();
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('the relay fails at the search for an open inspector: that error, and no signal (a second relay could work)', async () => {
    // Its inspector is open already: a SIGUSR1 would be needless (and, handled here, is logged).
    const target = await startNamespacedTarget('signal-log.cjs', [], undefined, { nodeArgs: ['--inspect=127.0.0.1:0'] });
    const log = stdoutOf(target);
    const bin = tempDir('leaktop-fake-nsenter-');
    try {
      // The first relay does not start (as one that timed out on a busy host); every later one is the real nsenter.
      const failed = join(bin, 'failed-once');
      writeFileSync(join(bin, 'nsenter'), `#!/bin/sh\nif [ ! -e '${failed}' ]; then : > '${failed}'; echo 'nsenter: busy' >&2; exit 1; fi\nexec /usr/bin/nsenter "$@"\n`, { mode: 0o755 });
      const run = await runLeaktop(['gc', String(target.pid)], { env: { ...env, PATH: `${bin}:${process.env.PATH}` } });
      assert.equal(run.code, 1);
      assert.equal(run.stderr.split('\n')[0], `leaktop: could not enter the network namespace of process '${target.pid}': the relay into the network namespace ended: nsenter: busy`);
      await assertNoSigusr1(target, log);
    } finally {
      await target.kill();
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('without nsenter: the same refusal, saying what to install', async () => {
    const target = await startNamespacedTarget('idle.cjs');
    try {
      const run = await runLeaktop(['gc', String(target.pid)], { env: { ...env, PATH: '/nonexistent' } });
      assert.equal(run.code, 1);
      const [first, hint] = run.stderr.trimEnd().split('\n');
      assert.equal(first, `leaktop: process '${target.pid}' runs in another network namespace (a container?), so its inspector is not reachable from here`);
      assert.match(hint!, /nsenter, which is not on PATH: install util-linux/);
      assert.deepEqual(namespaceListeningPorts(target.pid), []);
    } finally {
      await target.kill();
    }
  });
});
