import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough, Writable } from 'node:stream';
import { render as inkRender, renderToString } from '../../src/ui/ink.js';
import { cellWidth } from '../../src/core/format.js';
import { layoutColumns } from '../../src/core/table-layout.js';
import { shortenCommands } from '../../src/core/shorten-commands.js';
import { MonitorStore } from '../../src/state/index.js';
import { ProcessTable, type ProcessTableProps } from '../../src/ui/components/process-table.js';
import { ThemeContext, createTheme } from '../../src/ui/theme.js';
import { stripPaint } from '../../src/ui/paint.js';
import { fakeSample } from '../helpers/process-sample.js';

const sample = (pid: number, rssBytes: number, command: string) => fakeSample(pid, rssBytes, { command, uid: 1000, user: 'app', startTimeTicks: 1, cpuPercent: 2.5 });

function rows() {
  const store = new MonitorStore();
  for (let i = 0; i < 12; i++) {
    store.ingestProcesses({
      sampledAtMs: i * 1000,
      processes: [sample(4242, 50e6 + i * 2e6, '/usr/local/bin/node /srv/leaky/server.js --port 8080'), sample(77, 30e6, 'node worker.js')],
    });
  }
  return store.getState().processes;
}

function render(width: number, theme = createTheme({ color: false, ascii: true })) {
  const processes = rows();
  return renderToString(
    <ThemeContext.Provider value={theme}>
      <ProcessTable rows={processes} columns={layoutColumns(width)} selectedKey={processes[0]!.key} top={0} height={10} sortColumn="rss" descending width={width} />
    </ThemeContext.Provider>,
    { columns: width },
  );
}

test('draws the header and one line per process, each within the width', () => {
  const raw = render(80).split('\n');
  const lines = raw.map(stripPaint);
  assert.ok(raw.find((l) => l.includes('4242'))!.startsWith('\x1b[7m'), 'the selected row is drawn inverse');
  assert.ok(!raw.find((l) => l.includes(' 77 '))!.includes('\x1b[7m'), 'other rows are not');
  assert.match(lines[0]!, /PID USER\s+CPU%\s+vRSS RSS HIST/);
  const leaky = lines.find((l) => l.includes('4242'))!;
  assert.match(leaky, /^\s+4242 app\s+2\.5\s+68\.7M/);
  assert.match(leaky, / \.\.50s /, 'no growth figure before the minimum window: the time left (49 s, in 5 s steps rounded up)');
  assert.match(leaky, / leaky\/server\.js ~$/, 'the script by its directory and file, cut at the end (issue 16)');
  assert.match(lines.find((l) => l.includes(' 77 '))!, / node worker\.js\s*$/, 'a short line whole, not shortened because another is long');
  for (const line of lines) assert.ok(Array.from(line).length <= 80, line);
});

test('ASCII mode draws no character above 0x7e; Unicode mode draws blocks', () => {
  assert.ok(/^[\x20-\x7e\n]*$/.test(stripPaint(render(100))), 'ASCII only');
  assert.match(render(100, createTheme({ color: false, ascii: false })), /[▁▂▃▄▅▆▇█]/);
});

test('a right-to-left override or zero-width space in a command line: shown escaped, the row within the width', () => {
  const store = new MonitorStore();
  const spoofed = 'node /srv/\u202egnp.sj\u200b --port 8080';
  store.ingestProcesses({ sampledAtMs: 0, processes: [sample(4343, 50e6, spoofed), sample(4444, 40e6, `${spoofed} ${'\u202e'.repeat(100)}`)] });
  const processes = store.getState().processes;
  for (const width of [80, 140]) {
    const out = renderToString(
      <ThemeContext.Provider value={createTheme({ color: false, ascii: false })}>
        <ProcessTable rows={processes} columns={layoutColumns(width)} selectedKey={processes[0]!.key} top={0} height={10} sortColumn="rss" descending width={width} />
      </ThemeContext.Provider>,
      { columns: width },
    );
    const rows = stripPaint(out).split('\n').filter((l) => l.includes('4343') || l.includes('4444'));
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.doesNotMatch(row, /[\u202e\u200b]/);
      assert.ok(cellWidth(row) <= width, `${cellWidth(row)} cells: ${row}`);
    }
    if (width === 140) assert.match(rows[0]!, /node \/srv\/\\u202egnp\.sj\\u200b --port 8080\s*$/);
  }
});

test('after the minimum window: the judged rate, and a LEAK? column with the kind for the row whose growth holds', () => {
  const store = new MonitorStore();
  for (let i = 0; i <= 120; i++) {
    store.ingestProcesses({
      sampledAtMs: i * 1000,
      processes: [sample(4242, 50e6 + i * 2e6, '/usr/local/bin/node /srv/leaky/server.js'), sample(77, 30e6 + (i >= 40 ? 6e6 : 0), 'node worker.js')],
    });
  }
  const processes = store.getState().processes;
  const out = renderToString(
    <ThemeContext.Provider value={createTheme({ color: false, ascii: true })}>
      <ProcessTable rows={processes} columns={layoutColumns(80, { leakShown: true })} selectedKey={null} top={0} height={10} sortColumn="rss" descending width={80} />
    </ThemeContext.Provider>,
    { columns: 80 },
  );
  const lines = out.split('\n').map(stripPaint);
  assert.match(lines[0]!, / GROWTH LEAK\?\s+COMMAND/);
  assert.match(lines.find((l) => l.includes('4242'))!, /\+114M\/m rss\s+leaky\/server\.js/, 'RSS grows 2 MB/s all along: LEAK?, the kind unknown without heap figures');
  const steady = lines.find((l) => l.includes(' 77 '))!;
  assert.match(steady, / bounded\s+(node )?worker\.js/, 'one 6 MB step: bounded, no rate and no LEAK? mark');
  assert.ok(!/ rss /.test(steady), steady);
  for (const line of lines) assert.ok(Array.from(line).length <= 80, line);
});

/**
 * Draws the table with ink frame after frame (`tick(i)` then `propsAt(i)` for frames 1…`frames`, after frame 0), and
 * holds each frame to the same props drawn afresh: what the kept-across-frames paths must show.
 */
function assertFramesAsFresh(theme: ReturnType<typeof createTheme>, size: { columns: number; rows: number }, tick: (i: number) => void, propsAt: (i: number) => ProcessTableProps, frames: number): void {
  let frame = '';
  const stdout = Object.assign(new Writable({ write: (chunk, _encoding, done) => ((frame = String(chunk)), done()) }), { isTTY: true, ...size });
  const stdin = Object.assign(new PassThrough(), { isTTY: false, setRawMode() {}, ref() {}, unref() {} });
  const table = (props: ProcessTableProps) => (
    <ThemeContext.Provider value={theme}>
      <ProcessTable {...props} />
    </ThemeContext.Provider>
  );
  tick(0);
  const instance = inkRender(table(propsAt(0)), { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, debug: true, patchConsole: false, exitOnCtrlC: false });
  try {
    for (let i = 1; i <= frames; i++) {
      tick(i);
      const props = propsAt(i);
      instance.rerender(table(props));
      const fresh = renderToString(table(props), { columns: props.width });
      assert.equal(frame.trimEnd(), fresh.trimEnd(), `frame ${i}`);
    }
  } finally {
    instance.unmount();
  }
}

test('a table drawn frame after frame (rows whose cells did not change kept from the last frame) shows what a table drawn afresh shows', () => {
  const theme = createTheme({ color: true, ascii: false });
  const store = new MonitorStore();
  // One steady row, one growing, one whose CPU changes, one that appears late, one that leaves; past the minimum
  // window, so GROWTH turns from the wait to rates and colours.
  const tick = (i: number) =>
    store.ingestProcesses({
      sampledAtMs: i * 5000,
      processes: [
        sample(10, 40e6, 'node steady.js'),
        sample(20, 40e6 + i * 3e6, 'node leaky.js'),
        { ...sample(30, 60e6, 'node busy.js'), cpuPercent: i % 3 },
        ...(i >= 8 ? [sample(40, 20e6, 'node late.js')] : []),
        ...(i < 12 ? [sample(50, 10e6, 'node gone.js')] : []),
      ],
    });
  const propsAt = (i: number): ProcessTableProps => {
    const rows = store.getState().processes;
    const width = i === 15 ? 100 : 120;
    return { rows, columns: layoutColumns(width), selectedKey: rows[i % rows.length]!.key, top: i === 17 ? 1 : 0, height: 10, sortColumn: 'rss', descending: true, width };
  };
  assertFramesAsFresh(theme, { columns: 120, rows: 40 }, tick, propsAt, 30);
});

test('commands shortened together stay right frame after frame: rows re-sorted, one leaving, one arriving, a worker row sharing its process\'s command', () => {
  const theme = createTheme({ color: false, ascii: true });
  // Scripts that share a file name: each keeps as much of its path as tells it from the others, so the set listed
  // decides how each reads (with `orders` gone, `billing/dist/index.js` no longer needs its service's directory).
  const store = new MonitorStore();
  const commands = ['node /srv/orders/dist/index.js --port 8080', 'node /srv/billing/dist/index.js --port 8081', 'node /srv/billing/lib/worker.js --queue jobs', 'node /opt/tools/report.js --daily'];
  // One sample per process instance, its argv array kept from tick to tick as the sampler keeps it (read once, at
  // identification): the cache knows a command line by that array.
  const instances = [...commands.map((command, p) => sample(100 + p, 40e6 + p * 1e6, command)), sample(1100, 40e6, commands[0]!)];
  const tick = (i: number) =>
    store.ingestProcesses({
      sampledAtMs: i * 1000,
      // `orders` leaves at tick 6 and comes back (a new process: a new argv) at tick 9; `report` arrives at tick 3.
      processes: instances.flatMap((base, p) =>
        (p === 0 && i >= 6) || (p === 3 && i < 3) || (p === 4 && i < 9) ? [] : [{ ...base, rssBytes: base.rssBytes + ((i * (p + 1)) % 3) * 1e6 }],
      ),
    });
  const propsAt = (i: number): ProcessTableProps => {
    const processes = store.getState().processes;
    // Sorted differently from one tick to the next (as a sort by CPU does); on some ticks a row twice (a worker
    // thread's row shares its process's sample).
    const sorted = i % 2 === 0 ? [...processes].reverse() : [...processes];
    const rows = i % 4 === 1 ? [...sorted, { ...sorted[0]!, key: `${sorted[0]!.key}/t1` }] : sorted;
    return { rows, columns: layoutColumns(60), selectedKey: null, top: 0, height: 10, sortColumn: 'rss', descending: true, width: 60 };
  };
  assertFramesAsFresh(theme, { columns: 60, rows: 20 }, tick, propsAt, 12);
  // The case the test is for: a row reads differently once the set listed changes (else this proves nothing).
  const width = layoutColumns(60).find((c) => c.id === 'command')!.width;
  const billing = (listed: string[]) => shortenCommands(listed.map((command, p) => sample(p, 1, command)), width)[1];
  assert.notEqual(billing(commands), billing(commands.map((c, p) => (p === 0 ? 'node other.js' : c))));
});
