import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { UserError } from '../../src/core/user-error.js';
import { isUnavailable } from '../../src/proc/read-file.js';
import { listeningPorts } from '../../src/inspector/find-inspector-port.js';
import { DEFAULT_INSPECTOR_PORT } from '../../src/inspector/activate.js';
import { InspectorSession } from '../../src/inspector/session.js';
import { isAlive, killAllTargets, startNodeTarget, startTarget, fixture } from '../helpers/targets.js';

after(killAllTargets);

function ports(pid: number): number[] {
  const found = listeningPorts(pid);
  return isUnavailable(found) ? [] : found;
}

/** Attach, read, GC, detach; returns the session for more checks. */
async function roundTrip(pid: number): Promise<InspectorSession> {
  const session = await InspectorSession.attach(pid);
  assert.ok(ports(pid).includes(session.port), 'the inspector listens while attached');
  const usage = await session.heapUsage();
  assert.ok(usage.usedBytes > 0 && usage.totalBytes >= usage.usedBytes);
  const memory = await session.memoryUsage();
  assert.ok(memory.rss > 0 && memory.heapUsed > 0 && memory.external >= 0 && memory.arrayBuffers >= 0);
  const spaces = await session.heapSpaces();
  assert.ok(spaces.some((s) => s.name === 'old_space' && s.usedBytes > 0));
  const gc = await session.collectGarbage();
  assert.ok(gc.heapUsedAfterBytes > 0 && gc.durationMs >= 0);
  await session.detach();
  return session;
}

describe('attach, GC and detach on real processes', () => {
  for (const name of ['idle.cjs', 'idle.mjs', 'busy.cjs']) {
    it(`${name}: leaktop opens the inspector, off port ${DEFAULT_INSPECTOR_PORT}, and closes it again`, async () => {
      const target = await startNodeTarget(name);
      assert.deepEqual(ports(target.pid), [], 'no listener before');
      const session = await roundTrip(target.pid);
      assert.equal(session.openedByLeaktop, true);
      assert.notEqual(session.port, DEFAULT_INSPECTOR_PORT, 'moved off 9229 so the next process can use it');
      assert.match(session.nodeVersion, /^v\d+\./);
      assert.deepEqual(ports(target.pid), [], 'no LISTEN socket left after detach');
      assert.ok(isAlive(target.pid), 'the target lives on');
      await target.kill();
    });
  }

  it('a process started with --inspect keeps its inspector: leaktop uses it and leaves it open', async () => {
    const target = await startTarget(process.execPath, ['--inspect=127.0.0.1:0', fixture('idle.cjs')]);
    const before = ports(target.pid);
    assert.equal(before.length, 1);
    const session = await roundTrip(target.pid);
    assert.equal(session.openedByLeaktop, false);
    assert.equal(session.port, before[0]);
    assert.deepEqual(ports(target.pid), before, 'still listening after detach');
    await target.kill();
  });

  it('two processes attached at once, each on its own port', async () => {
    const a = await startNodeTarget('idle.cjs');
    const b = await startNodeTarget('idle.cjs');
    const [sa, sb] = await Promise.all([InspectorSession.attach(a.pid), InspectorSession.attach(b.pid)]);
    assert.notEqual(sa.port, sb.port);
    assert.ok((await sa.heapUsage()).usedBytes > 0 && (await sb.heapUsage()).usedBytes > 0);
    await Promise.all([sa.detach(), sb.detach()]);
    assert.deepEqual([...ports(a.pid), ...ports(b.pid)], []);
  });

  it('collectGarbageOnce: one full GC frees what the process dropped, keeps what it holds, and leaves no gc() behind', async () => {
    const target = await startNodeTarget('idle.cjs');
    const session = await InspectorSession.attach(target.pid);
    try {
      const evaluate = async (expression: string) => (await session.connection.send('Runtime.evaluate', { expression, returnByValue: true })).result.value as unknown;
      // ~16 MB held and ~16 MB dropped, both in the old space by now (two scavenges promote what survives them).
      await evaluate("globalThis.kept = Array.from({ length: 2e5 }, (_, i) => ({ i, s: 'k' + i })); globalThis.dropped = Array.from({ length: 2e5 }, (_, i) => ({ i, s: 'd' + i })); 0");
      await session.collectGarbageOnce();
      await evaluate('globalThis.dropped = null; 0');
      const gc = await session.collectGarbageOnce();
      assert.ok(gc.heapUsedBeforeBytes - gc.heapUsedAfterBytes > 8e6, `the dropped array freed: ${JSON.stringify(gc)}`);
      assert.equal(await evaluate('globalThis.kept.length'), 2e5, 'what it holds is kept');
      assert.ok(gc.durationMs > 0);
      assert.equal(await evaluate('typeof gc'), 'undefined', '--expose-gc is unset again: no gc() left in the process');
    } finally {
      await session.detach();
      await target.kill();
    }
  });
});

describe('refusals: nothing is signalled that should not be', () => {
  it('a fake (exec -a node sleep) is refused and survives', async () => {
    const fake = await startTarget('bash', ['-c', 'exec -a node sleep 60'], { ready: false });
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(InspectorSession.attach(fake.pid), (error: unknown) => error instanceof UserError && /not a Node\.js process/.test(error.message));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(isAlive(fake.pid), 'SIGUSR1 would have killed sleep: it was never sent');
  });

  it('a PID that exited is refused', async () => {
    const gone = await startNodeTarget('idle.cjs');
    await gone.kill();
    await assert.rejects(InspectorSession.attach(gone.pid), (error: unknown) => error instanceof UserError && /does not exist|exited/.test(error.message));
  });

  it('a reused PID (other start time) is refused before signalling', async () => {
    const target = await startNodeTarget('idle.cjs');
    await assert.rejects(InspectorSession.attach(target.pid, { startTimeTicks: 1 }), (error: unknown) => error instanceof UserError && /PID was reused/.test(error.message));
    assert.deepEqual(ports(target.pid), []);
  });

  it('an app with its own SIGUSR1 handler: a clean timeout that says why, no hang', async () => {
    const target = await startNodeTarget('own-sigusr1.cjs');
    const started = Date.now();
    await assert.rejects(InspectorSession.attach(target.pid, { activationTimeoutMs: 1500 }), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /no inspector appeared/);
      assert.match(error.hint ?? '', /SIGUSR1/);
      return true;
    });
    assert.ok(Date.now() - started < 4000);
    assert.ok(isAlive(target.pid));
  });
});

describe('port 9229 taken by another process', () => {
  it('says which port is busy and leaves the target without a listener', async () => {
    const holder = await startTarget(process.execPath, [`--inspect=127.0.0.1:${DEFAULT_INSPECTOR_PORT}`, fixture('idle.cjs')]);
    assert.deepEqual(ports(holder.pid), [DEFAULT_INSPECTOR_PORT]);
    const target = await startNodeTarget('idle.cjs');
    await assert.rejects(InspectorSession.attach(target.pid, { activationTimeoutMs: 1000 }), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /port 9229 is taken by another process/);
      return true;
    });
    assert.deepEqual(ports(target.pid), [], 'no half-open inspector');
    assert.ok(isAlive(target.pid));
    await holder.kill();
    // Once 9229 is free, the same process can be attached.
    const session = await InspectorSession.attach(target.pid);
    await session.detach();
    assert.deepEqual(ports(target.pid), []);
  });
});
