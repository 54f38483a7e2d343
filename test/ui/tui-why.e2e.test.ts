/**
 * `w` in the real full-screen monitor: the why view shows the steps as they go, each with its countdown and cost;
 * Esc stops what it started (the sampler, the inspector it opened) and leaves; a run left to finish shows the
 * verdict and the culprit. Against a real leaking server (test/fixtures/targets/why/cache-server.cjs).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { privateRuntimeDir } from '../helpers/left-open.js';
import { ports } from '../helpers/ports.js';
import { KEYS } from '../helpers/pty-terminal.js';
import { askSampling } from '../helpers/sampling-probe.js';
import { fixture, killAllTargets, startTarget } from '../helpers/targets.js';
import { selectOnly, startTui } from '../helpers/tui.js';

const runtime = privateRuntimeDir();
after(async () => {
  await killAllTargets();
  rmSync(runtime.dir, { recursive: true, force: true });
});

/** The row of a step in the why view, as `NAME  STATE  LEFT …`. */
const stepRow = (name: string, state: string) => new RegExp(`^${name} +${state} `, 'm');

test('w shows the steps with their countdowns and costs; Esc stops the sampler, closes the inspector and leaves', async () => {
  const marker = `leaktop-why-${randomBytes(4).toString('hex')}`;
  const target = await startTarget(process.execPath, [fixture('why/cache-server.cjs'), marker]);
  const term = startTui(['--why-duration', '4'], { cols: 120, rows: 30, env: runtime.env });
  try {
    await selectOnly(term, marker, target);
    term.write('w');
    // Not attached: w asks first, as a does.
    await term.waitFor(`Why does it grow: attach to PID ${target.pid}`, 10_000, 'the question');
    assert.equal(ports(target.pid).length, 0, 'nothing opened before the answer');
    term.write('y');
    await term.waitFor(`Why does PID ${target.pid} grow?`, 10_000, 'the why view');
    await term.waitFor((t) => /^watch +running +\d+s \d+ms/m.test(t.screenText()), 15_000, 'the watch step with its countdown and cost');
    assert.match(term.screenText(), stepRow('sample', 'waiting'));
    assert.match(term.screenText(), stepRow('snapshots', 'waiting'));
    await term.waitFor((t) => stepRow('sample', 'running').test(t.screenText()), 30_000, 'the sampling step running');
    assert.match(term.screenText(), /^watch +done .* heap: heap floor/m);
    // The step shows as running as the sampler is being started: ask until the target says so.
    const deadline = Date.now() + 10_000;
    let sampling = await askSampling(target);
    while (sampling !== 'active' && Date.now() < deadline) sampling = await askSampling(target);
    assert.equal(sampling, 'active', 'the sampler runs in the target');
    assert.ok(ports(target.pid).length > 0, 'an inspector is open');

    term.write(KEYS.escape);
    await term.waitFor((t) => !t.screenText().includes('Why does PID') && t.screenText().includes(`${target.pid} `), 10_000, 'back in the table');
    // The port goes first, then the record of it (once the close is confirmed).
    await term.waitFor(() => ports(target.pid).length === 0 && runtime.registryFiles().length === 0, 10_000, 'the inspector why opened closed, and its record gone');
    assert.equal(await askSampling(target), 'inactive', 'the sampler stopped');

    term.write('q');
    assert.equal((await term.waitForExit(10_000)).exitCode, 0);
  } finally {
    await term.dispose();
    await target.kill();
  }
});

test('w left to finish: the verdict, the culprit and its site; quitting leaves nothing open', async () => {
  const marker = `leaktop-why-${randomBytes(4).toString('hex')}`;
  const target = await startTarget(process.execPath, [fixture('why/cache-server.cjs'), marker]);
  const term = startTui(['--why-duration', '4', '--yes'], { cols: 120, rows: 40, env: runtime.env });
  try {
    await selectOnly(term, marker, target);
    term.write('w');
    await term.waitFor(/^HEAP: heap floor/m, 120_000, 'the report');
    const screen = term.screenText();
    assert.match(screen, /^report +done /m);
    assert.match(screen, /^CachedResponse \d+x retained \S+ +made in cache-server\.cjs:\d+ rememberResponses$/m);
    assert.match(screen, /responseCache \(ResponseCache\)/);
    assert.match(screen, /^Cost: paused \d+ ms, peak RSS/m);
    await term.waitFor(() => ports(target.pid).length === 0 && runtime.registryFiles().length === 0, 10_000, 'the inspector closed at the end, and its record gone');
    term.write('q');
    assert.equal((await term.waitForExit(10_000)).exitCode, 0);
    assert.deepEqual(ports(target.pid), []);
    assert.deepEqual(runtime.registryFiles(), []);
  } finally {
    await term.dispose();
    await target.kill();
  }
});
