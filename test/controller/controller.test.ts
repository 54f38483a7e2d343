/**
 * The controller as the TUI drives it, with no screen: its actions return nothing, so every check reads the store.
 * A real Node target, a real inspector, real snapshots parsed in the real analysis worker.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Controller, type ControllerOptions } from '../../src/controller/index.js';
import type { Capture } from '../../src/state/index.js';
import { ports } from '../helpers/ports.js';
import { attachInStore, storeWith, waitForState } from '../helpers/store-state.js';
import { isAlive, killAllTargets, startNodeTarget } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

/**
 * A leak-mix target, a store with its row, a controller on it, and every running capture the store held (as the
 * footer would have shown it); `end` closes what the controller opened (asserting it could) and ends the target.
 */
async function controlled(options: ControllerOptions = {}) {
  const target = await startNodeTarget('leak-mix.cjs');
  const { store, key } = storeWith(target.pid);
  const controller = new Controller(store, options);
  const captures: Capture[] = [];
  const unsubscribe = store.subscribe(() => {
    const capture = store.getState().attachments.get(key)?.capture;
    if (capture && captures.at(-1) !== capture) captures.push(capture);
  });
  const end = async () => {
    unsubscribe();
    assert.deepEqual(await controller.detachAll(), []);
    await target.kill();
  };
  return { target, store, key, controller, captures, end };
}

test('attach, GC, two snapshots, diff, the objects of a class, detach: each reported in the store', async () => {
  const dir = tempDir('leaktop-controller-');
  const { target, store, key, controller, captures, end } = await controlled({ snapshotDir: dir });
  try {
    assert.equal(controller.attach(key), undefined, 'an action returns nothing');
    // Each action's last word is its status line: waited for, the store is then as the action left it.
    let state = await waitForState(store, (s) => s.status?.text.startsWith('Attached') === true, 'the attach');
    const attached = state.attachments.get(key)!;
    assert.equal(attached.openedByLeaktop, true);
    assert.ok(attached.port !== null && ports(target.pid).includes(attached.port), 'the inspector listens where the store says');
    assert.match(state.status!.text, new RegExp(`^Attached to ${target.pid}: leaktop opened its inspector on 127\\.0\\.0\\.1:${attached.port}`));

    controller.gc(key);
    state = await waitForState(store, (s) => s.status?.text.startsWith('GC in') === true, 'the GC');
    assert.ok(state.attachments.get(key)!.gc!.heapUsedBeforeBytes! > 0);
    assert.match(state.status!.text, new RegExp(`^GC in ${target.pid}: freed \\d+ KiB`));

    // Fewer than two snapshots: no comparison starts, the status says what to do.
    controller.diff(key);
    assert.equal(store.getState().diffComputing, undefined);
    assert.equal(store.getState().status?.level, 'error');
    assert.match(store.getState().status!.text, /take two snapshots of that process first/);

    const before = Date.now();
    controller.snapshot(key);
    state = await waitForState(store, (s) => s.status?.text.startsWith('Saved') === true, 'the first snapshot');
    assert.equal(state.attachments.get(key)!.snapshots!.length, 1);
    assert.equal(state.attachments.get(key)!.capture, null, 'the capture is over');
    controller.snapshot(key);
    state = await waitForState(store, (s) => s.status?.text.startsWith('d compares the last two') === true, 'the second snapshot');
    // Two in the same second: the second file gets a -2.
    assert.match(state.status!.text, /^d compares the last two\. Saved leaktop-\d+-\d+-\d+(-\d+)?\.heapsnapshot/);
    assert.equal(state.attachments.get(key)!.capture, null, 'the capture is over');
    const snapshots = state.attachments.get(key)!.snapshots!;
    assert.notEqual(snapshots[0]!.id, snapshots[1]!.id, 'each snapshot has its own id');
    for (const snapshot of snapshots) {
      assert.ok(existsSync(snapshot.path) && snapshot.path.startsWith(dir), snapshot.path);
      assert.equal(statSync(snapshot.path).mode & 0o777, 0o600, 'heap contents are private');
    }
    // The capture state was structured (the footer words it): what, which pid, since when, each step.
    assert.ok(captures.length > 0, 'a capture was in the store while it ran');
    assert.ok(captures.every((c) => c.what.kind === 'snapshot' && c.pid === target.pid && c.sinceMs >= before), JSON.stringify(captures[0]));
    const phases = new Set(captures.map((c) => c.step.phase));
    assert.ok(phases.has('gc') && phases.has('retained'), [...phases].join());

    controller.diff(key);
    const computing = store.getState().diffComputing;
    assert.equal(computing?.key, key, 'the comparison is under way at once: the view opens on it');
    assert.equal(computing?.pid, target.pid);
    state = await waitForState(store, (s) => s.diff !== null && s.status === null, 'the diff');
    assert.equal(state.diffComputing, null);
    assert.deepEqual([state.diff!.aId, state.diff!.bId], snapshots.map((s) => s.id), 'the diff names its snapshots by id');
    const leaked = state.diff!.diff.rows.find((row) => row.name === 'LeakedSession');
    assert.ok(leaked && leaked.countDelta > 0 && leaked.new === leaked.countDelta, JSON.stringify(leaked));

    controller.inspectClass({ name: 'LeakedSession' });
    state = await waitForState(store, (s) => s.objects?.computing === false && s.status === null, 'the objects of LeakedSession');
    assert.equal(state.objects!.name, 'LeakedSession');
    assert.ok(state.objects!.count > 0 && state.objects!.newCount! > 0 && state.objects!.paths.length > 0, JSON.stringify({ ...state.objects, paths: state.objects!.paths.length }));

    const port = attached.port!;
    controller.detach(key);
    // The attachment goes last, after the status.
    state = await waitForState(store, (s) => s.status?.text.startsWith('Detached') === true && !s.attachments.has(key), 'the detach');
    assert.match(state.status!.text, new RegExp(`^Detached from ${target.pid}; its inspector is closed`));
    assert.ok(!ports(target.pid).includes(port), 'the inspector leaktop opened is closed');
    // The snapshots held for the diff went with the session: Enter on a row says so instead of using a stale one.
    controller.inspectClass({ name: 'LeakedSession' });
    assert.match(store.getState().status!.text, /the snapshots of this diff are gone/);
    assert.ok(isAlive(target.pid), 'the target lives on');
  } finally {
    await end();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('allocation sampling: its profile refreshed on the clock into the store, a mark, the stop', async () => {
  const { target, store, key, controller, end } = await controlled({ allocRefreshMs: 200 });
  try {
    await attachInStore(controller, store, key);
    controller.sample(key);
    let state = await waitForState(store, (s) => s.status?.text.startsWith('Sampling allocations') === true, 'the sampler');
    assert.equal(state.attachments.get(key)!.alloc!.running, true);
    const startedAtMs = state.attachments.get(key)!.alloc!.startedAtMs;
    // No readings tick is running: the refresh is the clock's own periodic read.
    state = await waitForState(store, (s) => (s.attachments.get(key)?.alloc?.profiledAtMs ?? 0) > startedAtMs, 'a profile read on the clock');
    const first = state.attachments.get(key)!.alloc!.profiledAtMs!;
    state = await waitForState(store, (s) => (s.attachments.get(key)?.alloc?.profiledAtMs ?? 0) > first, 'a second read');
    controller.markAllocations(key);
    assert.ok(store.getState().attachments.get(key)!.alloc!.mark, 'marked');
    controller.sample(key);
    state = await waitForState(store, (s) => s.status?.text.startsWith('Stopped sampling') === true, 'the sampler stopped');
    assert.equal(state.attachments.get(key)!.alloc!.running, false);
    assert.match(state.status!.text, new RegExp(`^Stopped sampling allocations in ${target.pid}`));
    assert.ok(state.attachments.get(key)!.alloc!.profile, 'the last profile stays for the view');
    const stoppedAt = state.attachments.get(key)!.alloc!.profiledAtMs;
    // Stopped: the clock reads it no more. Three rounds of a read at the same cadence, on the same clock, say
    // when the refresh would have run at least twice.
    let rounds = 0;
    await new Promise<void>((resolve) => {
      const stop = controller.clock.every(200, async () => {
        if (++rounds < 3) return;
        stop();
        resolve();
      });
    });
    assert.equal(store.getState().attachments.get(key)!.alloc!.profiledAtMs, stoppedAt, 'no read after the stop');
  } finally {
    await end();
  }
});

test('L on a process not attached: three captures worded as a leak check, the session it opened closed, the candidates in the store', async () => {
  const { target, store, key, controller, captures, end } = await controlled();
  try {
    controller.detectLeaks(key, 500);
    const state = await waitForState(store, (s) => s.leakCheck?.running === false && s.status?.text.startsWith('Leak check') === true, 'the leak check', 60_000);
    assert.equal(state.leakCheck!.error, null);
    assert.ok(state.leakCheck!.candidates!.some((c) => c.name === 'LeakedSession'), state.leakCheck!.candidates!.map((c) => c.name).join());
    assert.deepEqual([...new Set(captures.map((c) => (c.what.kind === 'leak-check' ? `${c.what.n} ${c.what.stage}` : c.what.kind)))], ['1 baseline', '2 target', '3 final']);
    assert.ok(captures.every((c) => c.pid === target.pid));
    assert.equal(state.attachments.has(key), false, 'the session L opened is closed');
    assert.deepEqual(ports(target.pid), [], 'and its inspector with it');
  } finally {
    await end();
  }
});

test('w on a process not attached, then stopped (Esc): the run ends as stopped and the session it opened is closed', async () => {
  const { target, store, key, controller, end } = await controlled();
  try {
    controller.why(key, 60_000);
    assert.equal(store.getState().whyRun?.running, true, 'the run is in the store at once');
    // Under way: its own inspector is open (the watch reads the heap through it).
    await waitForState(store, (s) => (s.whyRun?.progress?.steps.length ?? 0) > 0 && ports(target.pid).length > 0, 'the watch under way');
    controller.stopWhy(key);
    const state = await waitForState(store, (s) => s.whyRun?.running === false, 'the stop');
    assert.equal(state.whyRun!.error, 'stopped');
    assert.equal(state.whyRun!.result, null);
    assert.equal(state.attachments.has(key), false, 'why used its own session, not an attachment');
    assert.deepEqual(ports(target.pid), [], 'the inspector it opened is closed once stopped');
  } finally {
    await end();
  }
});

test('an attached process told to stop (SIGTERM → process.exit) exits while attached; the attachment goes and the status says so', async () => {
  const target = await startNodeTarget('graceful-exit.cjs');
  const { store, key } = storeWith(target.pid);
  const controller = new Controller(store);
  try {
    // Through 9229: another test holding it for a moment would fail the attach, not what this checks.
    await attachInStore(controller, store, key);
    const exited = new Promise<number | null>((resolve) => target.child.once('exit', (code) => resolve(code)));
    process.kill(target.pid, 'SIGTERM');
    // Node holds an exiting process while a session is connected; the session lets it go.
    const state = await waitForState(store, (s) => s.status?.text.startsWith(`The inspector session with ${target.pid} ended`) === true, 'the session to end with the process');
    assert.equal(state.attachments.has(key), false);
    assert.equal(await exited, 0);
    assert.deepEqual(await controller.detachAll(), [], 'nothing left to close');
  } finally {
    await target.kill();
  }
});
