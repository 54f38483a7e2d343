/**
 * The test helpers' cleanup when a test file is killed mid-run (Ctrl-C, a CI timeout) and never reaches its `after`:
 * a test file that made a private runtime directory and a temp directory of its own (`tempDir`, as test files make
 * theirs) and started a fixture that runs forever — inside a memory cgroup of its own, as root — is sent SIGINT or
 * SIGTERM; both directories are gone, the fixture ends, the cgroup goes once it can, and the file still ends by that
 * signal. A test file whose test fails loses its temp directory at exit the same way. (serve.ts's Prometheus is
 * registered the same way, with killAtExit and removeAtExit.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { memoryCgroupUnavailable } from './memory-cgroup.js';
import { waitFor } from './signal-log.js';
import { startTarget } from './targets.js';
import { removeTempDir, tempDir } from './temp-dir.js';

const helper = (name: string) => JSON.stringify(new URL(`./${name}`, import.meta.url).href);
const inCgroup = memoryCgroupUnavailable() === null;

/**
 * A test file that sets things up, says what it made (in FACTS), then waits to be killed. Its temp directory is made
 * inside PARENT, which the test removes whatever happens, so a failure here leaves nothing behind either.
 */
const testFile = (facts: string, parent: string) => `
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { privateRuntimeDir } from ${helper('left-open.js')};
import { makeMemoryCgroup } from ${helper('memory-cgroup.js')};
import { fixture, startTarget } from ${helper('targets.js')};
import { tempDir } from ${helper('temp-dir.js')};
test('runs until killed', async () => {
  const runtime = privateRuntimeDir();
  const temp = tempDir('killed-', ${JSON.stringify(parent)});
  writeFileSync(temp + '/heap.heapsnapshot', '{}');
  const group = ${inCgroup} ? makeMemoryCgroup('exit-cleanup') : null;
  const [command, args] = group ? group.startInside(process.execPath, [fixture('idle.cjs')]) : [process.execPath, [fixture('idle.cjs')]];
  const target = await startTarget(command, args);
  writeFileSync(${JSON.stringify(facts)}, JSON.stringify({ dir: runtime.dir, temp, pid: target.pid, cgroup: group?.dir ?? null }));
  process.stdout.write('ready\\n');
  await new Promise(() => setInterval(() => {}, 1000));
});
`;

/** Gone, or a zombie left for init to reap (its parent, the killed test file, is gone): it runs no more. */
function ended(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return true;
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`a test file killed by ${signal}: its runtime and temp directories are removed and the fixture it started ends`, async () => {
    const dir = tempDir('leaktop-exit-cleanup-test-');
    try {
      const script = join(dir, 'killed.test.mjs');
      const factsFile = join(dir, 'facts.json');
      writeFileSync(script, testFile(factsFile, dir));
      const file = await startTarget(process.execPath, [script]);
      const facts = JSON.parse(readFileSync(factsFile, 'utf8')) as { dir: string; temp: string; pid: number; cgroup: string | null };
      assert.ok(existsSync(facts.dir) && existsSync(facts.temp) && !ended(facts.pid), 'set up');
      const exited = new Promise<NodeJS.Signals | null>((resolve) => file.child.once('exit', (_code, how) => resolve(how)));
      process.kill(file.pid, signal);
      assert.equal(await exited, signal, 'it still ends by the signal');
      assert.ok(!existsSync(facts.dir), `${facts.dir} is removed`);
      assert.ok(!existsSync(facts.temp), `${facts.temp} is removed`);
      await waitFor(() => ended(facts.pid), 'the fixture to end');
      if (facts.cgroup !== null) await waitFor(() => !existsSync(facts.cgroup!), `${facts.cgroup} to be removed`, 20_000);
    } finally {
      removeTempDir(dir);
    }
  });
}

test('a test file whose test fails: the temp directory it made is removed as it exits', () => {
  const dir = tempDir('leaktop-exit-cleanup-test-');
  try {
    const script = join(dir, 'failing.test.mjs');
    const factsFile = join(dir, 'facts.json');
    // No `after`, no `finally`: only the exit hook can remove it.
    writeFileSync(
      script,
      `
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { tempDir } from ${helper('temp-dir.js')};
test('fails', () => {
  const temp = tempDir('failed-', ${JSON.stringify(dir)});
  writeFileSync(temp + '/heap.heapsnapshot', '{}');
  writeFileSync(${JSON.stringify(factsFile)}, JSON.stringify({ temp }));
  assert.equal(1, 2);
});
`,
    );
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    assert.equal(run.status, 1, `the test failed: ${run.stdout}${run.stderr}`);
    const { temp } = JSON.parse(readFileSync(factsFile, 'utf8')) as { temp: string };
    assert.ok(temp.startsWith(join(dir, 'failed-')), temp);
    assert.ok(!existsSync(temp), `${temp} is removed`);
  } finally {
    removeTempDir(dir);
  }
});
