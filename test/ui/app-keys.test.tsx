/**
 * The App driven in process (test/helpers/app-harness.tsx): a store filled by hand, actions that record their calls,
 * keys typed as a terminal sends them through ink's own input parsing. What only a real terminal shows (the
 * alternate screen, raw mode on a pty, real processes) stays in the tui*.e2e tests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MonitorStore, type Attachment } from '../../src/state/index.js';
import type { AppProps } from '../../src/ui/app.js';
import { renderApp, recordingActions, type AppHarness } from '../helpers/app-harness.js';
import { KEYS } from '../helpers/terminal-keys.js';
import { fakeSample } from '../helpers/process-sample.js';

const MB = 1e6;

/** Three processes, biggest RSS first: 101, 102, 103 (keys `PID@PID`). */
function seededStore(): MonitorStore {
  const store = new MonitorStore();
  store.ingestProcesses({ sampledAtMs: 1000, processes: [fakeSample(103, 100 * MB), fakeSample(101, 300 * MB), fakeSample(102, 200 * MB)] });
  return store;
}

function attach(store: MonitorStore, pid: number, patch: Partial<Attachment> = {}): void {
  store.setAttachment({ key: `${pid}@${pid}`, pid, phase: 'attached', port: 40000, openedByLeaktop: true, nodeVersion: 'v20.20.2', heap: { usedBytes: 40 * MB, totalBytes: 60 * MB }, gc: null, ...patch });
}

const TABLE_FOOTER = 'Enter Detail a Attach / Filter M/G/P/N Sort Space Pause ? Help q Quit';

/** Runs `body` on a rendered App and unmounts it whatever happens. */
async function withApp(props: Partial<AppProps> & { store: MonitorStore }, body: (app: AppHarness) => Promise<void>): Promise<void> {
  const app = renderApp(props);
  try {
    await app.waitFor(() => app.frame().includes(TABLE_FOOTER), 'the table');
    await body(app);
  } finally {
    app.unmount();
  }
}

test('j then a (no question asked): attach on the second row by RSS; x on a process not attached says so', async () => {
  const store = seededStore();
  const { actions, calls } = recordingActions();
  await withApp({ store, actions, confirmAttach: false }, async (app) => {
    // Were more than the table's key hook listening, each would route the j and it would move more than one row.
    app.type('j');
    app.type('a');
    await app.waitFor(() => calls.length > 0, 'a call');
    assert.deepEqual(calls, [['attach', '102@102']]);
    await app.press('x', 'not attached: press a to attach first');
    assert.equal(calls.length, 1, 'x called nothing');
  });
});

test('a asks first: n declines, y attaches; the question has its own footer', async () => {
  const store = seededStore();
  const { actions, calls } = recordingActions();
  await withApp({ store, actions }, async (app) => {
    await app.press('a', 'Attach to PID 101');
    assert.match(app.frame(), /y Yes n\/Esc No/);
    await app.press('n', TABLE_FOOTER);
    await app.press('a', 'Attach to PID 101');
    await app.press('y', TABLE_FOOTER);
    assert.deepEqual(calls, [['attach', '101@101']]);
  });
});

test('? shows every key within 80x24, Esc goes back; keys typed fast into a filter prompt are text (q does not quit)', async () => {
  const store = seededStore();
  const { actions } = recordingActions();
  await withApp({ store, actions }, async (app) => {
    await app.press('?', /^q Ctrl-C +quit$/m);
    assert.match(app.frame(), /^Keys {3}GROWTH/m);
    assert.match(app.frame(), /Esc Back q Quit/);
    await app.press(KEYS.escape, TABLE_FOOTER);
    // One chunk, as a fast typist or a paste sends it: the prompt opens and takes the rest.
    app.type('/q1');
    app.type('0');
    await app.waitFor(() => app.frame().includes('Filter: q10_'), 'the typed filter');
    await app.press(KEYS.backspace, 'Filter: q1_');
    await app.press(KEYS.enter, 'Filter: q1 (Esc clears)');
    app.type(KEYS.escape);
    await app.waitFor(() => !app.frame().includes('Filter:') && /^ +101 root/m.test(app.frame()), 'the filter cleared');
  });
});

/** A key on attached process 101 that opens a view: the keys pressed there, and the actions they called. */
interface AttachedViewCase {
  name: string;
  /** Set on the attachment (its allocation sampling, say). */
  attachment?: Partial<Attachment>;
  props?: Partial<AppProps>;
  keys(app: AppHarness, store: MonitorStore, calls: readonly unknown[][]): Promise<void>;
  calls: unknown[][];
  /** Then Esc goes back to the table. */
  escapes?: true;
}

const ATTACHED_VIEW_CASES: AttachedViewCase[] = [
  {
    name: 'detail view: Enter opens it, g collects garbage, s asks then y takes a snapshot, Esc goes back',
    async keys(app, _store, calls) {
      await app.press(KEYS.enter, 'Esc Back a/x Attach/Detach g GC s/d Snapshot/Diff');
      app.type('g');
      await app.waitFor(() => calls.length === 1, 'the GC call');
      await app.press('s', 'Heap snapshot of PID 101');
      await app.press('y', 'Esc Back a/x');
    },
    calls: [['gc', '101@101'], ['readRoom', '101@101'], ['snapshot', '101@101', { force: false }]],
    escapes: true,
  },
  {
    name: 'allocation view: l opens it, p m i act on its process',
    attachment: { alloc: { intervalBytes: 32_768, running: true, startedAtMs: 0, profile: null, profiledAtMs: null, mark: null, cwd: '/srv' } },
    async keys(app, _store, calls) {
      await app.press('l', 'Esc Back p Stop/Start t By stack/line m Mark/Unmark i Interval');
      app.type('p');
      app.type('m');
      app.type('i');
      await app.waitFor(() => calls.length === 3, 'three calls');
    },
    calls: [['sample', '101@101'], ['markAllocations', '101@101'], ['setSamplingInterval', '101@101', 131_072]],
    escapes: true,
  },
  {
    name: 'leak check: L asks, i changes the interval, y starts it and opens its view',
    props: { leakIntervalMs: 30_000 },
    async keys(app) {
      await app.press('L', 'Three heap snapshots, 30 s apart');
      await app.press('i', 'Three heap snapshots, 60 s apart');
      await app.press('y', 'Esc Back j/k Select L Run again x Detach/stop q Quit');
    },
    calls: [['readRoom', '101@101'], ['detectLeaks', '101@101', 60_000, { force: false }]],
  },
  {
    name: 'why: w on an attached process runs it; Esc stops it and goes back',
    props: { whyDurationMs: 5000 },
    async keys(app, store) {
      await app.press('w', 'Esc Stop and back w Run again');
      store.setWhyRun({ key: '101@101', pid: 101, durationMs: 5000, progress: null, result: null, running: true, error: null, startedAtMs: 0 });
      await app.press(KEYS.escape, TABLE_FOOTER);
    },
    calls: [['why', '101@101', 5000], ['stopWhy', '101@101']],
  },
];

for (const c of ATTACHED_VIEW_CASES) {
  test(c.name, async () => {
    const store = seededStore();
    attach(store, 101, c.attachment);
    const { actions, calls } = recordingActions();
    await withApp({ store, actions, ...c.props }, async (app) => {
      await c.keys(app, store, calls);
      assert.deepEqual(calls, c.calls);
      if (c.escapes) await app.press(KEYS.escape, TABLE_FOOTER);
    });
  });
}

test('diff view: d opens it when there are two snapshots; its keys; Esc goes back', async () => {
  const store = seededStore();
  attach(store, 101);
  const { actions, calls } = recordingActions({ diffStore: store });
  await withApp({ store, actions }, async (app) => {
    await app.press('d', 'Esc Back Enter Why alive j/k Select o Sort');
    assert.deepEqual(calls, [['diff', '101@101']]);
    // Without a result there is nothing to write or open, and the process keys do not act here.
    app.type('wWa');
    await app.press('?', /^q Ctrl-C +quit$/m);
    assert.deepEqual(calls, [['diff', '101@101']]);
    await app.press(KEYS.escape, TABLE_FOOTER);
  });
});

test('Space pauses, + and - step the refresh, q quits; raw mode stays on from view to view', async () => {
  const store = seededStore();
  const { actions } = recordingActions();
  const app = renderApp({ store, actions });
  try {
    await app.waitFor(() => app.frame().includes(TABLE_FOOTER), 'the table');
    const interval = store.getState().intervalMs;
    app.type(' ');
    await app.waitFor(() => store.getState().paused, 'paused');
    app.type('+');
    await app.waitFor(() => store.getState().intervalMs > interval, 'a slower refresh');
    app.type('-');
    await app.waitFor(() => store.getState().intervalMs === interval, 'the refresh back');
    await app.press('?', /^q Ctrl-C/m);
    await app.press(KEYS.escape, TABLE_FOOTER);
    await app.press(KEYS.enter, 'Esc Back a/x');
    assert.equal(app.stdin.rawSwitches, 1, 'raw mode switched on once, not off and on at each view');
    app.type('q');
    await app.exited;
  } finally {
    app.unmount();
  }
});

test('a snapshot that does not fit: y does nothing, Enter declines, only a capital Y takes it (forced)', async () => {
  const store = seededStore();
  attach(store, 101);
  store.setRoom({ key: '101@101', room: { bytes: 100 * 1024 * 1024, limitBytes: 200 * 1024 * 1024, source: 'cgroup', cgroupPath: '/app' }, readAtMs: 0 });
  const { actions, calls } = recordingActions();
  await withApp({ store, actions }, async (app) => {
    await app.press('s', 'DOES NOT FIT');
    app.type('y');
    await app.press(KEYS.enter, TABLE_FOOTER);
    assert.deepEqual(calls, [['readRoom', '101@101']], 'neither y nor Enter took it');
    await app.press('s', 'DOES NOT FIT');
    await app.press('Y', TABLE_FOOTER);
    assert.deepEqual(calls.at(-1), ['snapshot', '101@101', { force: true }]);
  });
});
