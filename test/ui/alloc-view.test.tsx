import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderToString } from '../../src/ui/ink.js';
import type { AllocSampling } from '../../src/state/index.js';
import { AllocView } from '../../src/ui/components/alloc-view.js';
import { allocKeyAction, allocViewReducer, nextSamplingInterval } from '../../src/ui/hooks/use-alloc-view-state.js';
import { viewReducer, initialViewState } from '../../src/ui/hooks/use-view-state.js';
import { stripPaint } from '../../src/ui/paint.js';
import { ThemeContext, createTheme } from '../../src/ui/theme.js';
import { buildProfile, type NodeSpec } from '../core/alloc/profile-builder.js';

const APP = '/srv/app/src/sessions.js';

function tree(leakBytes: number): NodeSpec[] {
  return [
    ['listOnTimeout', 'node:internal/timers', 523, 0, [
      ['tick', APP, 30, 0, [['rememberSession', APP, 11, leakBytes], ['cacheUser', '/srv/app/node_modules/lru-cache/index.js', 99, 20_000]]],
    ]],
    ['(V8 API)', '', -1, 5000],
  ];
}

function sampling(overrides: Partial<AllocSampling> = {}): AllocSampling {
  return { intervalBytes: 32768, running: true, startedAtMs: 0, profile: buildProfile(tree(400_000)), profiledAtMs: 65_000, mark: null, cwd: '/srv/app', ...overrides };
}

function render(alloc: AllocSampling | null, by: 'line' | 'stack' = 'line', width = 80, height = 19): string[] {
  const out = renderToString(
    <ThemeContext.Provider value={createTheme({ color: false, ascii: true })}>
      <AllocView pid={4242} alloc={alloc} by={by} top={0} nowMs={65_000} width={width} height={height} />
    </ThemeContext.Provider>,
    { columns: width },
  );
  return out.split('\n').map(stripPaint);
}

describe('AllocView', () => {
  it('by function: bytes, share, file:line function, the no-caller group last; every line fits 80 columns', () => {
    const lines = render(sampling());
    assert.match(lines[0]!, /^PID 4242: sampling every 32 KiB \(i\), 1m05s, \S+ live, by function \(t\)/);
    assert.match(lines[2]!, /^\s+BYTES\s+SHARE\s+SITE/);
    assert.match(lines[3]!, /^\s+391K\s+94\.1%\s+src\/sessions\.js:12 rememberSession\s*$/);
    assert.match(lines[4]!, /node_modules\/lru-cache\/index\.js:100 cacheUser/);
    assert.match(lines[5]!, /\(no JavaScript caller: native\/V8\)/);
    assert.match(lines[6]!, /Finer than 128 KiB costs the process more/, 'finer than the default: the cost is said');
    assert.ok(lines.every((l) => l.length <= 80), lines.join('\n'));
    assert.match(render(sampling({ intervalBytes: 131072 }))[6]!, /A site is a function at its first line/, 'at the default: what a site is');
  });

  it('by stack: the site, then its callers', () => {
    const lines = render(sampling(), 'stack');
    assert.match(lines[3]!, /src\/sessions\.js:12 rememberSession < src\/sessions\.js:31 tick </);
  });

  it('after a mark: growth per site since it, biggest first', () => {
    const lines = render(sampling({ mark: { profile: buildProfile(tree(100_000)), markedAtMs: 45_000 } }));
    assert.match(lines[1]!, /^Growth since the mark 20s ago \(m clears\)/);
    assert.match(lines[2]!, /^\s+GROWTH\s+MARKED\s+NOW\s+SITE/);
    assert.match(lines[3]!, /^\s+\+293K\s+97\.7K\s+391K\s+src\/sessions\.js:12 rememberSession/);
  });

  it('stopped, waiting for the first profile, and without sampling', () => {
    assert.match(render(sampling({ running: false }))[0]!, /^PID 4242: STOPPED every 32 KiB/);
    assert.ok(render(sampling({ profile: null })).some((l) => l.includes('(first profile in a few seconds)')));
    assert.match(render(null)[0]!, /No allocation sampling on this process: attach \(a\), then p starts it\./);
  });
});

describe('allocation view keys and state', () => {
  const key = {} as Parameters<typeof allocKeyAction>[1];
  it('maps t, p, m, i and scrolling; t resets the scroll', () => {
    assert.deepEqual(allocKeyAction('t', key, 10), { type: 'toggle-by' });
    assert.equal(allocKeyAction('p', key, 10), 'toggle-sampling');
    assert.equal(allocKeyAction('m', key, 10), 'mark');
    assert.equal(allocKeyAction('i', key, 10), 'next-interval');
    assert.equal(allocKeyAction('z', key, 10), null);
    const scrolled = allocViewReducer({ top: 0, by: 'line' }, { type: 'scroll', delta: 3 });
    assert.deepEqual(allocViewReducer(scrolled, { type: 'toggle-by' }), { top: 0, by: 'stack' });
    assert.equal(allocViewReducer(scrolled, { type: 'scroll', delta: -9 }).top, 0);
  });

  it('i steps through the intervals and wraps around', () => {
    assert.equal(nextSamplingInterval(32768), 131072);
    assert.equal(nextSamplingInterval(131072), 524288);
    assert.equal(nextSamplingInterval(524288), 8192);
    assert.equal(nextSamplingInterval(1000), 8192);
  });

  it('the view opens on a process and Esc returns where it was opened from', () => {
    const detail = viewReducer(initialViewState, { type: 'open-detail', key: '1@2' });
    const alloc = viewReducer(detail, { type: 'open-alloc', key: '1@2' });
    assert.equal(alloc.view, 'alloc');
    assert.equal(alloc.allocKey, '1@2');
    assert.equal(viewReducer(alloc, { type: 'back' }).view, 'detail');
  });
});
