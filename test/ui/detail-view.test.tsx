import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderToString } from 'ink';
import { MonitorStore } from '../../src/state/index.js';
import { DetailView, placeLines } from '../../src/ui/components/detail-view.js';
import { ThemeContext, createTheme } from '../../src/ui/theme.js';
import { fakeSample } from '../helpers/process-sample.js';

/** The detail view of one process whose RSS moved by `stepBytes` a second for 12 s; the line with its growth. */
function growthLine(stepBytes: number | null): string {
  const store = new MonitorStore();
  const samples = stepBytes === null ? 1 : 12; // one sample: growth not known yet
  for (let i = 0; i < samples; i++) store.ingestProcesses({ sampledAtMs: i * 1000, processes: [fakeSample(4242, 50e6 + i * (stepBytes ?? 0))] });
  const process = store.getState().processes[0]!;
  const out = renderToString(
    <ThemeContext.Provider value={createTheme({ color: true, ascii: false })}>
      <DetailView process={process} width={100} height={30} nowMs={12_000} />
    </ThemeContext.Provider>,
    { columns: 100 },
  );
  return out.split('\n').find((l) => l.includes('growth '))!;
}

/** The SGR codes right before the growth figure, and the figure. */
function growthStyle(line: string): { codes: string; figure: string } {
  const found = /growth ((?:\x1b\[[0-9;]*m)*)([^\x1b ]+)/.exec(line);
  assert.ok(found, line);
  return { codes: found[1]!, figure: found[2]! };
}

test('detail view: growth is red and bold from the alarm level, yellow from the warning level, plain when zero or unknown', () => {
  assert.deepEqual(growthStyle(growthLine(0)), { codes: '', figure: '0B/m' }, 'zero growth is not styled');
  assert.deepEqual(growthStyle(growthLine(null)), { codes: '', figure: '-' }, 'unknown growth is not styled');
  const alarm = growthStyle(growthLine(1e6));
  assert.match(alarm.figure, /^\+5\d\.\dM\/m$/);
  assert.ok(alarm.codes.includes('\x1b[1m') && alarm.codes.includes('\x1b[31m'), `60 MB a minute: red and bold (${JSON.stringify(alarm.codes)})`);
  const warn = growthStyle(growthLine(30_000));
  assert.match(warn.figure, /^\+1\.\d+M\/m$/);
  assert.ok(warn.codes.includes('\x1b[33m') && !warn.codes.includes('\x1b[1m'), `1.8 MB a minute: yellow (${JSON.stringify(warn.codes)})`);
});

test('detail view: where the process lives, the full container id when it fits, whole parts per line at 80 columns', () => {
  const id = '3f2c9e1a7b4d5c6e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcd';
  const pod = '5d1b2c3e-4f56-4789-9abc-def012345678';
  assert.deepEqual(placeLines({ container: null, unit: null, nsPid: null }), []);
  assert.deepEqual(placeLines({ container: { runtime: 'docker', id, pod: null }, unit: null, nsPid: 1 }, 120), [`  PID 1 in its namespace  container docker ${id}`]);
  assert.deepEqual(placeLines({ container: { runtime: 'containerd', id, pod }, unit: null, nsPid: 1 }, 80), [
    '  PID 1 in its namespace  container containerd 3f2c9e1a7b4d',
    `  pod ${pod}`,
  ]);
  assert.deepEqual(placeLines({ container: null, unit: 'pm2-root.service', nsPid: null, pm2: { name: 'api', id: 0 } }, 80), ['  pm2 app api (id 0)  unit pm2-root.service']);
  const store = new MonitorStore();
  store.ingestProcesses({ sampledAtMs: 0, processes: [fakeSample(4242, 50e6, { container: { runtime: 'containerd', id, pod }, nsPid: 1 })] });
  const out = renderToString(
    <ThemeContext.Provider value={createTheme({ color: false, ascii: true })}>
      <DetailView process={store.getState().processes[0]!} width={80} height={24} nowMs={0} />
    </ThemeContext.Provider>,
    { columns: 80 },
  );
  assert.match(out, /PID 4242.*\n {2}PID 1 in its namespace {2}container containerd 3f2c9e1a7b4d\n {2}pod 5d1b2c3e-/);
});
