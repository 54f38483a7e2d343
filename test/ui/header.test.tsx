import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderToString } from '../../src/ui/ink.js';
import type { OpenInspector } from '../../src/inspector/scan-inspectors.js';
import { MonitorStore } from '../../src/state/index.js';
import { Header } from '../../src/ui/components/header.js';
import { stripPaint } from '../../src/ui/paint.js';
import { ThemeContext, createTheme } from '../../src/ui/theme.js';

function render(store: MonitorStore, width = 160): string[] {
  return stripPaint(
    renderToString(
      <ThemeContext.Provider value={createTheme({ color: false, ascii: true })}>
        <Header state={store.getState()} nodeCount={3} width={width} />
      </ThemeContext.Provider>,
      { columns: width },
    ),
  ).split('\n');
}

const found = (pid: number, port: number, openedBy: OpenInspector['openedBy'], address = '127.0.0.1'): OpenInspector => ({ pid, address, port, nodeVersion: 'v20.0.0', openedBy, leaktopPid: openedBy === 'other' ? null : 999 });

test('no open inspector: the memory line as before', () => {
  const lines = render(new MonitorStore());
  assert.equal(lines.length, 2);
  assert.equal(lines[1], 'Mem ...');
});

test('every open inspector is on screen: one a dead leaktop left (x closes it) first, then the others', () => {
  const store = new MonitorStore();
  store.setOpenInspectors(new Map([['10@1', found(10, 9229, 'other')], ['20@1', found(20, 40123, 'leaktop-died')], ['30@1', found(30, 9339, 'other', '0.0.0.0')]]));
  const [title, second] = render(store);
  assert.ok(!title!.includes('INSPECTOR OPEN'), 'the badge is for the sessions of this leaktop');
  assert.equal(second, '20 127.0.0.1:40123 left open by a leaktop that died (x closes it); 10 127.0.0.1:9229, 30 0.0.0.0:9339 have inspectors open  Mem ...');
  store.forgetOpenInspector('20@1');
  store.forgetOpenInspector('30@1');
  assert.equal(render(store)[1], '10 127.0.0.1:9229 has an inspector open  Mem ...');
  assert.ok(render(store, 30).every((l) => l.length <= 30), 'cut to the width');
});

test('an inspector opened after a leaktop gave up on a stopped process is worded as such, beside one a dead leaktop left', () => {
  const store = new MonitorStore();
  store.setOpenInspectors(new Map([['20@1', found(20, 40123, 'leaktop-died')], ['40@1', found(40, 9229, 'leaktop-gave-up')], ['10@1', found(10, 9339, 'other')]]));
  assert.equal(
    render(store, 240)[1],
    '20 127.0.0.1:40123 left open by a leaktop that died (x closes it); 40 127.0.0.1:9229 opened after leaktop gave up waiting (x closes it); 10 127.0.0.1:9339 has an inspector open  Mem ...',
  );
});
