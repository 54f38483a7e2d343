/**
 * The race of an activation with someone else stopping the target (SIGSTOP, a debugger, a cgroup freezer) between
 * leaktop's checks and its SIGUSR1: the signal waits in the process, and its inspector opens when it resumes, after
 * leaktop gave up. leaktop must say so and record the open as pending, so that it gets closed once it appears.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UserError } from '../../src/core/user-error.js';
import { InspectorSession } from '../../src/inspector/session.js';
import { groupDirectory, parseCgroupMounts } from '../../src/proc/cgroup-hierarchy.js';
import { attachWhen9229Free } from '../helpers/attach.js';
import { privateRuntimeDir } from '../helpers/left-open.js';
import { ports } from '../helpers/ports.js';
import { assertNoSigusr1, stdoutOf, waitFor } from '../helpers/signal-log.js';
import { fixture, killAllTargets, runLeaktop, startNodeTarget, startTarget, type Target } from '../helpers/targets.js';

// The registry of opened inspectors this file (and the leaktop it runs) sees is its own.
const runtime = privateRuntimeDir();
process.env.XDG_RUNTIME_DIR = runtime.dir;
after(async () => {
  await killAllTargets();
  rmSync(runtime.dir, { recursive: true, force: true });
});

/** Generous: these tests wait for conditions, and a busy machine only makes them slower. */
const bounded = { timeout: 120_000 };
const PATIENCE_MS = 60_000;

function statState(pid: number): string {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[0] ?? '';
  } catch {
    return '';
  }
}

/** A loopback port free at this moment, for a target's --inspect-port (9229 is host-wide and other tests use it). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** An idle target whose SIGUSR1 opens its inspector on 127.0.0.1:PORT. */
async function targetWithInspectPort(): Promise<{ target: Target; port: number }> {
  const port = await freePort();
  return { target: await startTarget(process.execPath, [`--inspect-port=127.0.0.1:${port}`, fixture('idle.cjs')]), port };
}

/** Stops PID (SIGSTOP) and waits until /proc says so: run between activateInspector's checks and its SIGUSR1. */
async function stop(pid: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  await waitFor(() => statState(pid) === 'T', 'the stopped state', PATIENCE_MS);
}

describe('a target stopped between the checks and the SIGUSR1', () => {
  it('gets a clear error and a pending record; after SIGCONT, leaktop close leaves no inspector listening', bounded, async () => {
    const { target, port } = await targetWithInspectPort();
    await assert.rejects(InspectorSession.attach(target.pid, { activationTimeoutMs: 500, beforeSignal: stop }), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.equal(
        error.message,
        `process '${target.pid}' was stopped (SIGSTOP or a debugger) before its inspector opened: it opens on 127.0.0.1:${port} when the process resumes`,
      );
      assert.match(error.hint ?? '', new RegExp(`kill -CONT ${target.pid}.*'leaktop close ${target.pid}'`));
      return true;
    });
    const [record] = runtime.registryFiles();
    assert.match(record ?? '', new RegExp(`^${target.pid}-\\d+-${port}\\.json$`));
    assert.equal(JSON.parse(readFileSync(join(runtime.dir, 'leaktop', record!), 'utf8')).pending, true);
    assert.ok(!ports(target.pid).includes(port), 'nothing listens while it is stopped');

    process.kill(target.pid, 'SIGCONT');
    await waitFor(() => ports(target.pid).includes(port), 'the inspector to open once the process resumes', PATIENCE_MS);
    // Listed for what it is while the leaktop that gave up (this test) still runs: not held by it, not a dead one's.
    const listed = await runLeaktop(['list', '--json'], { env: runtime.env, timeoutMs: PATIENCE_MS });
    const inspector = (JSON.parse(listed.stdout) as Array<{ pid: number; inspector: unknown }>).find((r) => r.pid === target.pid)?.inspector;
    assert.deepEqual(inspector, { address: '127.0.0.1', port, openedBy: 'leaktop-gave-up', leaktopPid: process.pid });
    // Another leaktop, while the one that gave up (this test) still runs: a pending open is nobody's to wait for.
    const closed = await runLeaktop(['close', String(target.pid)], { env: runtime.env, timeoutMs: PATIENCE_MS });
    assert.equal(closed.code, 0, closed.stderr);
    assert.match(closed.stdout, new RegExp(`Closed the inspector of process ${target.pid} on 127\\.0\\.0\\.1:${port}`));
    assert.deepEqual(ports(target.pid), [], 'no inspector listening');
    assert.deepEqual(runtime.registryFiles(), [], 'and no record left');
  });

  it('the next attach adopts the inspector that appeared, and its detach closes it', bounded, async () => {
    const { target, port } = await targetWithInspectPort();
    await assert.rejects(InspectorSession.attach(target.pid, { activationTimeoutMs: 500, beforeSignal: stop }), /was stopped .* before its inspector opened/);
    process.kill(target.pid, 'SIGCONT');
    await waitFor(() => ports(target.pid).includes(port), 'the inspector to open once the process resumes', PATIENCE_MS);
    const session = await InspectorSession.attach(target.pid);
    assert.equal(session.port, port);
    assert.equal(session.openedByLeaktop, true, 'the pending open was leaktop\'s');
    await session.detach();
    assert.deepEqual(ports(target.pid), []);
    assert.deepEqual(runtime.registryFiles(), []);
  });
});

/**
 * A cgroup v2 of this test's own, to freeze a target in; null when cgroup v2 cannot be written here (not root, or
 * no cgroup2 mount) — then the frozen cases are skipped.
 */
function makeFreezableCgroup(): { dir: string; add(pid: number): void; freeze(on: boolean): void; remove(): void } | null {
  if (process.getuid?.() !== 0) return null;
  const { v2 } = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'), 'freezer');
  const parent = v2 ? groupDirectory(v2, '/') : null;
  if (parent === null) return null;
  const dir = join(parent, `leaktop-test-${process.pid}`);
  try {
    mkdirSync(dir);
    readFileSync(join(dir, 'cgroup.freeze'));
  } catch {
    return null;
  }
  return {
    dir,
    add: (pid) => writeFileSync(join(dir, 'cgroup.procs'), String(pid)),
    freeze: (on) => writeFileSync(join(dir, 'cgroup.freeze'), on ? '1' : '0'),
    remove: () => rmdirSync(dir),
  };
}

describe('a target frozen by a cgroup freezer', () => {
  const cgroup = makeFreezableCgroup();
  const frozen = () => /^frozen 1$/m.test(readFileSync(join(cgroup!.dir, 'cgroup.events'), 'utf8'));
  after(async () => {
    if (!cgroup) return;
    cgroup.freeze(false);
    await killAllTargets();
    await waitFor(() => /^populated 0$/m.test(readFileSync(join(cgroup.dir, 'cgroup.events'), 'utf8')), 'the test cgroup to empty');
    await cgroup.remove();
  });

  it('is refused before any signal (its state in /proc does not say it); after the thaw no inspector opens', { ...bounded, skip: !cgroup && 'needs root and a writable cgroup v2' }, async () => {
    const target = await startNodeTarget('signal-log.cjs');
    const log = stdoutOf(target);
    cgroup!.add(target.pid);
    cgroup!.freeze(true);
    await waitFor(frozen, 'the frozen cgroup', PATIENCE_MS);
    await assert.rejects(InspectorSession.attach(target.pid), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.equal(error.message, `process '${target.pid}' is frozen by its cgroup's freezer (docker pause?): thaw it first`);
      return true;
    });
    cgroup!.freeze(false);
    await assertNoSigusr1(target, log);
    await target.kill();
  });

  it('frozen between the checks and the SIGUSR1: a clear error, and after the thaw leaktop close closes what opened', { ...bounded, skip: !cgroup && 'needs root and a writable cgroup v2' }, async () => {
    const { target, port } = await targetWithInspectPort();
    cgroup!.add(target.pid);
    const freeze = async () => {
      cgroup!.freeze(true);
      await waitFor(frozen, 'the frozen cgroup', PATIENCE_MS);
    };
    await assert.rejects(InspectorSession.attach(target.pid, { activationTimeoutMs: 500, beforeSignal: freeze }), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.equal(error.message, `process '${target.pid}' was frozen (its cgroup's freezer) before its inspector opened: it opens on 127.0.0.1:${port} when the process resumes`);
      return true;
    });
    assert.equal(runtime.registryFiles().length, 1);
    cgroup!.freeze(false);
    await waitFor(() => ports(target.pid).includes(port), 'the inspector to open after the thaw', PATIENCE_MS);
    const closed = await runLeaktop(['close', String(target.pid)], { env: runtime.env, timeoutMs: PATIENCE_MS });
    assert.equal(closed.code, 0, closed.stderr);
    assert.deepEqual(ports(target.pid), []);
    assert.deepEqual(runtime.registryFiles(), []);
    await target.kill();
  });

  it('frozen while attached: detach is bounded, says it is frozen and still listens, and the queued close runs on the thaw', { ...bounded, skip: !cgroup && 'needs root and a writable cgroup v2' }, async () => {
    const target = await startNodeTarget('idle.cjs');
    cgroup!.add(target.pid);
    // Through 9229: another test holding it for a moment would fail the attach, not what this checks.
    const session = await attachWhen9229Free(target.pid);
    cgroup!.freeze(true);
    await waitFor(frozen, 'the frozen cgroup', PATIENCE_MS);
    await assert.rejects(session.detach(), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.equal(error.message, `could not close the inspector of process ${target.pid} (it is frozen): it still listens on 127.0.0.1:${session.port}`);
      assert.match(error.hint ?? '', /closes itself when the process is thawed/);
      return true;
    });
    assert.deepEqual(ports(target.pid), [session.port], 'still open while frozen');
    cgroup!.freeze(false);
    await waitFor(() => ports(target.pid).length === 0, 'the inspector to close after the thaw', PATIENCE_MS);
    await target.kill();
  });
});
