import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderToString } from '../../src/ui/ink.js';
import { MonitorStore, type Capture } from '../../src/state/index.js';
import { Footer } from '../../src/ui/components/footer.js';
import { stripPaint } from '../../src/ui/paint.js';
import { ThemeContext, createTheme } from '../../src/ui/theme.js';

/** The footer's status line with one attached process whose capture is `capture`. */
function statusLine(capture: Capture | null): string {
  const store = new MonitorStore();
  store.setAttachment({ key: '42@7', pid: 42, phase: 'attached', port: 40000, openedByLeaktop: true, nodeVersion: 'v20.0.0', heap: null, gc: null, capture });
  store.setStatus('Attached to 42');
  const text = renderToString(
    <ThemeContext.Provider value={createTheme({ color: false, ascii: true })}>
      <Footer view="table" state={store.getState()} filter="" editingFilter={false} width={80} />
    </ThemeContext.Provider>,
    { columns: 80 },
  );
  return stripPaint(text).split('\n')[0]!.trimEnd();
}

test("a running capture is the footer's status line, worded from the store's structured state", () => {
  const since = Date.now();
  assert.equal(statusLine({ what: { kind: 'snapshot' }, pid: 42, sinceMs: since, step: { phase: 'gc' } }), 'Snapshot of PID 42 (frozen meanwhile): full GC');
  assert.equal(statusLine({ what: { kind: 'snapshot' }, pid: 42, sinceMs: since, step: { phase: 'building', done: 1, total: 4 } }), 'Snapshot of PID 42 (frozen meanwhile): building 25%');
  assert.equal(statusLine({ what: { kind: 'leak-check', n: 2, stage: 'target' }, pid: 42, sinceMs: since, step: { phase: 'writing', bytes: 1 } }), 'Snapshot of PID 42 (frozen meanwhile): leak check snapshot 2/3 (target)');
  assert.equal(statusLine(null), 'Attached to 42', 'none running: the status as it is');
});
