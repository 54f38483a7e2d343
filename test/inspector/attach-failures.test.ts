import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { after, describe, it } from 'node:test';
import { UserError } from '../../src/core/user-error.js';
import { isUnavailable } from '../../src/proc/read-file.js';
import { listeningPorts } from '../../src/inspector/find-inspector-port.js';
import { InspectorSession } from '../../src/inspector/session.js';
import { fixture, isAlive, killAllTargets, startNodeTarget, startTarget, type Target } from '../helpers/targets.js';
import { assertNoSigusr1, stdoutOf, waitFor } from '../helpers/signal-log.js';
import { attachWhen9229Free } from '../helpers/attach.js';

after(killAllTargets);

function ports(pid: number): number[] {
  const found = listeningPorts(pid);
  return isUnavailable(found) ? [] : found;
}

/** A fake inspector (test/fixtures/targets/fake-inspector.cjs) and the port from its ready line. */
async function startFakeInspector(args: string[]): Promise<{ target: Target; port: number; log: () => string }> {
  const target = await startTarget(process.execPath, [fixture('fake-inspector.cjs'), ...args], { ready: false });
  const log = stdoutOf(target);
  await waitFor(() => /^ready \d+$/m.test(log()), 'the fake inspector');
  return { target, port: Number(/^ready (\d+)$/m.exec(log())![1]), log };
}

/** Every test here has a deadline: the failures they guard against are hangs. */
const bounded = { timeout: 60_000 };

describe('attach never hangs (issue 14, 1)', () => {
  it('a target that exits right after its inspector moved off 9229: a UserError, and the next attach still works', bounded, async () => {
    const dying = await startNodeTarget('exit-after-inspector.cjs', ['0', 'moved']);
    await assert.rejects(attachWhen9229Free(dying.pid), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.match(error.message, new RegExp(`process '${dying.pid}' exited`));
      return true;
    });
    // The activation queue is not stuck (in the TUI, every later `a` used to hang).
    const healthy = await startNodeTarget('idle.cjs');
    const session = await attachWhen9229Free(healthy.pid);
    assert.ok((await session.heapUsage()).usedBytes > 0);
    await session.detach();
    assert.deepEqual(ports(healthy.pid), []);
  });

  it('targets exiting 0–300 ms after their inspector opened: each attach + GC settles with a result or a UserError', bounded, async () => {
    for (const delayMs of [0, 20, 60, 120, 200, 300]) {
      const target = await startNodeTarget('exit-after-inspector.cjs', [String(delayMs)]);
      try {
        const session = await InspectorSession.attach(target.pid);
        try {
          await session.collectGarbage();
        } finally {
          await session.detach();
        }
      } catch (error) {
        assert.ok(error instanceof UserError, `${delayMs} ms: ${(error as Error).stack}`);
      }
      await target.kill();
    }
  });

  it('an inspector that drops the WebSocket upgrade: a UserError naming the process, not a hang', bounded, async () => {
    const fake = await startFakeInspector(['drop-upgrade']);
    await assert.rejects(InspectorSession.attach(fake.target.pid), (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.match(error.message, new RegExp(`could not connect to the inspector of process '${fake.target.pid}' on 127\\.0\\.0\\.1:${fake.port}`));
      return true;
    });
    assert.match(fake.log(), /^upgrade \//m, 'the upgrade was tried');
    assert.ok(!fake.log().includes('SIGUSR1'), 'an inspector was found, so nothing was signalled');
  });

  it('an inspector that never answers the upgrade: a UserError after the connect timeout', bounded, async () => {
    const fake = await startFakeInspector(['silent']);
    await assert.rejects(InspectorSession.attach(fake.target.pid), UserError);
  });
});

describe('the WebSocket URL comes from where leaktop probed (issue 14, 4)', () => {
  it('a /json/list that points at ws://127.0.0.2:OTHER/x does not send leaktop there', bounded, async (t) => {
    const decoyConnections: Socket[] = [];
    const decoy = createServer((socket) => decoyConnections.push(socket.on('error', () => {})));
    decoy.listen(0, '127.0.0.2');
    await once(decoy, 'listening');
    t.after(() => {
      for (const socket of decoyConnections) socket.destroy();
      decoy.close();
    });
    const decoyPort = (decoy.address() as AddressInfo).port;
    const fake = await startFakeInspector(['accept', `ws://127.0.0.2:${decoyPort}/x`]);
    const session = await InspectorSession.attach(fake.target.pid);
    assert.equal(session.port, fake.port);
    assert.equal(session.openedByLeaktop, false);
    await waitFor(() => /^upgrade \/x$/m.test(fake.log()), 'the upgrade at the probed port');
    await session.detach();
    assert.equal(decoyConnections.length, 0, 'nothing connected to the advertised address');
  });
});

describe('a stopped target (issue 14, 2)', () => {
  it('is refused before any signal; after SIGCONT no inspector opens', bounded, async () => {
    const target = await startNodeTarget('signal-log.cjs');
    const log = stdoutOf(target);
    process.kill(target.pid, 'SIGSTOP');
    // The kernel marks it stopped once the signal is delivered, not when kill() returns: until then it is running,
    // and a SIGUSR1 to a running Node process is what leaktop is meant to send.
    await waitFor(() => /\) T /.test(readStatLine(target.pid)), 'the stopped state');
    await assert.rejects(InspectorSession.attach(target.pid), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.equal(error.message, `process '${target.pid}' is stopped (SIGSTOP or a debugger): resume it first`);
      return true;
    });
    process.kill(target.pid, 'SIGCONT');
    await assertNoSigusr1(target, log);
  });

  it('with its own inspector: refused at once rather than waiting for a connect', bounded, async () => {
    const target = await startTarget(process.execPath, ['--inspect=127.0.0.1:0', fixture('idle.cjs')]);
    process.kill(target.pid, 'SIGSTOP');
    await waitFor(() => /\) T /.test(readStatLine(target.pid)), 'the stopped state');
    await assert.rejects(InspectorSession.attach(target.pid), /is stopped/);
    process.kill(target.pid, 'SIGCONT');
  });

  it('stopped while attached: detach is bounded, says the port that still listens, and the queued close runs on SIGCONT', bounded, async () => {
    const target = await startNodeTarget('idle.cjs');
    const session = await attachWhen9229Free(target.pid);
    process.kill(target.pid, 'SIGSTOP');
    await waitFor(() => /\) T /.test(readStatLine(target.pid)), 'the stopped state');
    await assert.rejects(session.detach(), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.equal(error.message, `could not close the inspector of process ${target.pid} (it is stopped): it still listens on 127.0.0.1:${session.port}`);
      assert.match(error.hint ?? '', /closes itself when the process resumes/);
      return true;
    });
    assert.deepEqual(ports(target.pid), [session.port], 'still open while stopped');
    process.kill(target.pid, 'SIGCONT');
    await waitFor(() => ports(target.pid).length === 0, 'the inspector to close after SIGCONT');
    assert.ok(isAlive(target.pid));
  });
});

describe('leaktop itself (issue 14, 5)', () => {
  it('its own PID and the thread ids of its workers are refused, and nothing opens in it', bounded, async () => {
    const before = ports(process.pid);
    await assert.rejects(InspectorSession.attach(process.pid), (error: unknown) => error instanceof UserError && /is leaktop itself/.test(error.message));
    const worker = new Worker('setInterval(() => {}, 1000); require("node:worker_threads").parentPort.postMessage("up")', { eval: true });
    try {
      await once(worker, 'message');
      const threads = readdirSync('/proc/self/task').map(Number).filter((tid) => tid !== process.pid);
      assert.ok(threads.length > 0);
      for (const tid of threads) {
        await assert.rejects(InspectorSession.attach(tid), (error: unknown) => error instanceof UserError && /is leaktop itself/.test(error.message), String(tid));
      }
    } finally {
      await worker.terminate();
    }
    assert.deepEqual(ports(process.pid), before);
  });
});

function readStatLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return '';
  }
}
