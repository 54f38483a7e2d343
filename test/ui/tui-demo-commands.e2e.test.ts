/**
 * At 80x24 the real TUI still tells the demo's two apps apart (issue 16): their command lines differ only in the
 * directory under demo/, which a cut through the middle of the line used to drop (`node /` + the start of the
 * checkout's path + `~r/index.js` for both). And a process in a container: the CONTAINER column (issue 15).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { KEYS } from '../helpers/pty-terminal.js';
import { cleanUpContainers, makeDockerLikeCgroup, startInPidNamespace } from '../helpers/container-cgroup.js';
import { memoryCgroupUnavailable } from '../helpers/memory-cgroup.js';
import { repoRoot, startTarget } from '../helpers/targets.js';
import { startTui } from '../helpers/tui.js';

after(cleanUpContainers);

test('the demo at 80x24: leaky-server and steady-worker rows read differently', async () => {
  // Started as demo/run.js starts them (the Node binary and the app's absolute path); they print their own banners.
  const leaky = await startTarget(process.execPath, [`${repoRoot}demo/leaky-server/index.js`], { ready: false });
  const steady = await startTarget(process.execPath, [`${repoRoot}demo/steady-worker/index.js`], { ready: false });
  const term = startTui([], { cols: 80, rows: 24 });
  try {
    await term.waitFor((t) => t.screenText().includes('Node.js process'), 10_000, 'the header');
    // Only this checkout's demo (other checkouts may run theirs): the filter matches the whole command line.
    const filter = `${repoRoot}demo/`;
    term.write('/');
    await term.waitFor('Filter: _');
    term.write(filter);
    await term.waitFor((t) => t.screenText().includes('_'), 5_000);
    term.write(KEYS.enter);
    const rowOf = (pid: number) => term.screenLines().find((l) => l.trimStart().startsWith(`${pid} `) || l.trimStart().startsWith(`*${pid} `));
    await term.waitFor(() => rowOf(leaky.pid) !== undefined && rowOf(steady.pid) !== undefined && !term.screenText().includes('Filter: _'), 10_000, 'both demo rows');
    const leakyRow = rowOf(leaky.pid)!;
    const steadyRow = rowOf(steady.pid)!;
    assert.equal(leakyRow.trimEnd().length <= 80 && steadyRow.trimEnd().length <= 80, true);
    assert.match(leakyRow, /leaky-server/, leakyRow);
    assert.match(steadyRow, /steady-worker/, steadyRow);
    assert.doesNotMatch(leakyRow, /~/, 'nothing cut');
    term.write('q');
    await term.waitForExit(10_000);
  } finally {
    await term.dispose();
  }
});

test('a process in a docker container cgroup and its own PID namespace at 80x24: CONTAINER shows its short id, the filter finds it by id, Enter says more', { skip: memoryCgroupUnavailable() ?? false }, async () => {
  const group = makeDockerLikeCgroup();
  // As a container runs it: in the group, and PID 1 of its own PID namespace.
  const { nodePid } = await startInPidNamespace('idle.cjs', group);
  const target = { pid: nodePid };
  const term = startTui([], { cols: 80, rows: 24 });
  try {
    await term.waitFor((t) => t.screenText().includes('Node.js process'), 10_000, 'the header');
    const short = group.id.slice(0, 12);
    term.write('/');
    await term.waitFor('Filter: _');
    term.write(short);
    await term.waitFor(`Filter: ${short}_`);
    term.write(KEYS.enter);
    const row = () => term.screenLines().find((l) => l.trimStart().startsWith(`${target.pid} `));
    await term.waitFor(() => row() !== undefined && !term.screenText().includes('Filter: _'), 10_000, 'the container row');
    assert.match(term.screenLines()[2]!, /GROWTH CONTAINER\s+COMMAND/, 'the column, at 80 columns');
    assert.match(row()!, new RegExp(` ${short} +idle\\.cjs|${short} +node `), row());
    term.write(KEYS.enter);
    await term.waitFor(`PID 1 in its namespace  container docker ${short}`, 10_000, 'the detail view');
    term.write('q');
    await term.waitForExit(10_000);
  } finally {
    await term.dispose();
  }
});
