import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderToString, type Key } from '../../src/ui/ink.js';
import { MonitorStore, type Attachment, type RoomReading } from '../../src/state/index.js';
import { ConfirmAction } from '../../src/ui/components/confirm-action.js';
import { confirmKeyAction } from '../../src/ui/key-actions.js';
import { stripPaint } from '../../src/ui/paint.js';
import { ThemeContext, createTheme } from '../../src/ui/theme.js';
import type { HostSample } from '../../src/proc/index.js';
import { fakeSample } from '../helpers/process-sample.js';

const MB = 1e6;

function tracked() {
  const store = new MonitorStore();
  store.ingestProcesses({ sampledAtMs: 1000, processes: [fakeSample(4242, 120 * MB, { user: 'app' })] });
  return store.getState().processes[0]!;
}

const attachment: Attachment = {
  key: '4242@4242',
  pid: 4242,
  phase: 'attached',
  port: 40000,
  openedByLeaktop: true,
  nodeVersion: 'v20.20.2',
  heap: { usedBytes: 40 * MB, totalBytes: 60 * MB },
  gc: null,
};

const host: HostSample = {
  sampledAtMs: 0,
  hostname: 'h',
  cpuCount: 2,
  memTotalBytes: 24e9,
  memUsedBytes: 4e9,
  memAvailableBytes: 20e9,
  swapTotalBytes: 0,
  swapUsedBytes: 0,
  load: [0, 0, 0],
};

function render(action: 'snapshot' | 'leaks', room: RoomReading | null, theme = createTheme({ color: false, ascii: true })): string {
  return renderToString(
    <ThemeContext.Provider value={theme}>
      <ConfirmAction action={action} process={tracked()} attachment={attachment} host={host} room={room} width={100} />
    </ThemeContext.Provider>,
    { columns: 100 },
  );
}

const smallCgroup: RoomReading = {
  key: '4242@4242',
  room: { bytes: 100 * 1024 * 1024, limitBytes: 200 * 1024 * 1024, source: 'cgroup', cgroupPath: '/kubepods/pod1/app' },
  readAtMs: 0,
};

test('a snapshot that does not fit in the cgroup: the figures, in red, and only a capital Y goes ahead', () => {
  for (const action of ['snapshot', 'leaks'] as const) {
    const raw = render(action, smallCgroup, createTheme({ color: true, ascii: true }));
    const text = stripPaint(raw);
    assert.match(text, /Room: 100M, limit 200M set by cgroup '\/kubepods\/pod1\/app'\./);
    assert.match(text, /DOES NOT FIT: needs ~[\d.]+[MG] with a margin; the kernel may OOM-kill it\./);
    assert.match(text, /p \(allocation sampling\)/);
    assert.match(text, /n \/ Esc \/ Enter {2}cancel {4}Y \(capital\) take the risk anyway/);
    assert.doesNotMatch(text, /y take it|y start/);
    const warning = raw.split('\n').find((l) => l.includes('DOES NOT FIT'))!;
    assert.notEqual(warning, stripPaint(warning), 'the warning is painted (red, bold)');
  }
});

test('a snapshot that fits: the room from the host, the usual y, no warning', () => {
  const text = stripPaint(render('snapshot', null));
  assert.match(text, /Room: 18\.6G, the host's MemAvailable \(22\.4G total\)\./);
  assert.doesNotMatch(text, /DOES NOT FIT/);
  assert.match(text, /y take it {4}n \/ Esc {2}cancel/);
  assert.match(text, /Estimate from heap 38\.1M\./);
  assert.match(text, /The file: ~[\d.]+M, in the current directory\./);
});

test('a room read for another process is not used', () => {
  const text = stripPaint(render('snapshot', { ...smallCgroup, key: '77@77' }));
  assert.doesNotMatch(text, /DOES NOT FIT/);
  assert.match(text, /the host's MemAvailable/);
});

test('keys of a refused question: y does nothing, Enter and n say no, Y says yes', () => {
  const none = {} as Key;
  const refused = { refused: true };
  assert.equal(confirmKeyAction('y', none, refused), null);
  assert.equal(confirmKeyAction('Y', none, refused), 'yes');
  assert.equal(confirmKeyAction('', { return: true } as Key, refused), 'no');
  assert.equal(confirmKeyAction('n', none, refused), 'no');
  assert.equal(confirmKeyAction('', { escape: true } as Key, refused), 'no');
  assert.equal(confirmKeyAction('y', none), 'yes', 'a question that fits keeps y');
  assert.equal(confirmKeyAction('', { return: true } as Key), null);
});

test('after a snapshot the question uses what it really cost: below the tiny-object bound, and says so', () => {
  const roomy: RoomReading = { key: '4242@4242', room: { bytes: 1000 * 1024 * 1024, limitBytes: 2000 * 1024 * 1024, source: 'cgroup', cgroupPath: '/app' }, readAtMs: 0 };
  const question = (observedPeak: Attachment['observedPeak']) =>
    renderToString(
      <ThemeContext.Provider value={createTheme({ color: false, ascii: true })}>
        <ConfirmAction action="snapshot" process={tracked()} attachment={{ ...attachment, observedPeak }} host={host} room={roomy} width={100} />
      </ThemeContext.Provider>,
      { columns: 100 },
    );
  const model = question(null);
  assert.match(model, /less with larger objects/);
  assert.match(model, /DOES NOT FIT/, 'a 40 MB heap of tiny objects would need more than 1000 MiB');
  // The last snapshot of this 40 MB heap rose by 360 MB (9x: records): this one is estimated from that, and fits.
  const measured = question({ heapUsedBytes: 40 * MB, peakRiseBytes: 360 * MB });
  assert.match(measured, /rise by up to ~343M \(as measured at the last snapshot\)/);
  assert.doesNotMatch(measured, /DOES NOT FIT/);
});
