import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isUnavailable } from '../../src/proc/read-file.js';
import { listeningSockets } from '../../src/inspector/listening-sockets.js';
import { fixture, isAlive, killAllTargets, leaktopBin, startTarget, type Target } from '../helpers/targets.js';
import { assertNoSigusr1, stdoutOf, waitFor } from '../helpers/signal-log.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

/** Every listening socket of PID at any address, as `ADDRESS PORT`. */
const sockets = (pid: number) => {
  const found = listeningSockets(pid);
  return isUnavailable(found) ? [] : found.map((s) => `${s.address} ${s.port}`);
};

/** A failure as the house wants it: exit 1, `leaktop: …` and a hint, never a stack, never exit 13 (an unsettled await). */
function assertOneLineFailure(result: { code: number | null; stderr: string }, message: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, message);
  assert.match(result.stderr, /^leaktop: .+\n.+\n$/, `one line and a hint: ${result.stderr}`);
  assert.ok(!result.stderr.includes('    at '), result.stderr);
}

const canUnshare = spawnSync('unshare', ['--net', 'true']).status === 0;

/**
 * A network namespace of our own with only `lo` (up), held by a `sleep`; targets and leaktop run inside it through
 * nsenter. An inspector on 0.0.0.0 then reaches nothing but this loopback, and port 9229 is ours alone: other tests
 * on this host that take 9229 cannot make these fail. Where unshare is not permitted, the host's namespace (null).
 */
async function startNamespace(): Promise<Target | null> {
  if (!canUnshare) return null;
  const holder = await startTarget('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec sleep 600'], { ready: false });
  await waitFor(() => {
    try {
      return readFileSync(`/proc/${holder.pid}/comm`, 'latin1').trim() === 'sleep';
    } catch {
      return false;
    }
  }, 'the namespace');
  return holder;
}

/** `command` run inside the namespace of `ns` (as is without one); nsenter execs, so the PID is the command's. */
const inside = (ns: Target | null, command: string[]): [string, string[]] => (ns ? ['nsenter', ['-t', String(ns.pid), '-n', ...command]] : [command[0]!, command.slice(1)]);

/** A Node fixture started inside the namespace. */
function startNodeTargetIn(ns: Target | null, name: string, args: string[] = [], options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Target> {
  const [file, argv] = inside(ns, [process.execPath, ...(options.nodeArgs ?? []), fixture(name), ...args]);
  return startTarget(file, argv, options.env ? { env: options.env } : {});
}

/** leaktop run to completion inside the namespace. */
function runLeaktopIn(ns: Target | null, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [file, argv] = inside(ns, [process.execPath, leaktopBin, ...args]);
  return new Promise((resolve) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const bounded = { timeout: 120_000 };

describe('attach never hangs, from the shell (issue 14, 1)', () => {
  let ns: Target | null = null;
  before(async () => (ns = await startNamespace()));
  it('gc of a target that exits right after its inspector moves off 9229: exit 1 and a line, every time', bounded, async () => {
    for (let run = 0; run < 3; run++) {
      const target = await startNodeTargetIn(ns, 'exit-after-inspector.cjs', ['0', 'moved']);
      assertOneLineFailure(await runLeaktopIn(ns, ['gc', String(target.pid)]), new RegExp(`^leaktop: process '${target.pid}' exited`));
    }
  });

  it('gc of targets exiting 120–330 ms after their inspector opened: a result or one line, nothing else', bounded, async () => {
    for (const delayMs of [120, 180, 240, 330]) {
      const target = await startNodeTargetIn(ns, 'exit-after-inspector.cjs', [String(delayMs)]);
      const result = await runLeaktopIn(ns, ['gc', String(target.pid)]);
      if (result.code === 0) assert.match(result.stdout, new RegExp(`^PID ${target.pid}: heap`));
      else assertOneLineFailure(result, /^leaktop: /);
      await target.kill();
    }
  });

  it('a fake inspector that drops the upgrade: exit 1 and a line', bounded, async () => {
    const fake = await startTarget(process.execPath, [fixture('fake-inspector.cjs'), 'drop-upgrade'], { ready: false });
    const log = stdoutOf(fake);
    await waitFor(() => log().includes('ready'), 'the fake inspector');
    assertOneLineFailure(await runLeaktopIn(null, ['gc', String(fake.pid)]), new RegExp(`could not connect to the inspector of process '${fake.pid}'`));
  });

  it('two gc at once on one target, three times: each a result or one line, and no inspector left open', bounded, async () => {
    for (let pair = 0; pair < 3; pair++) {
      const target = await startNodeTargetIn(ns, 'idle.cjs');
      const results = await Promise.all([runLeaktopIn(ns, ['gc', String(target.pid)]), runLeaktopIn(ns, ['gc', String(target.pid)])]);
      const seen = JSON.stringify(results);
      for (const result of results) {
        if (result.code === 0) assert.match(result.stdout, new RegExp(`^PID ${target.pid}: heap`), seen);
        // The two race for one inspector: one may find it closed or moved under it, and says so in one line.
        else assertOneLineFailure(result, /^leaktop: /);
      }
      assert.deepEqual(ports(target.pid), [], `pair ${pair}: nothing left listening; ${seen}`);
      assert.ok(isAlive(target.pid));
      await target.kill();
    }
  });
});

describe('a stopped target, from the shell (issue 14, 2)', () => {
  let ns: Target | null = null;
  before(async () => (ns = await startNamespace()));
  it('gc of a stopped process is refused without a signal', bounded, async () => {
    const target = await startNodeTargetIn(ns, 'signal-log.cjs');
    const log = stdoutOf(target);
    process.kill(target.pid, 'SIGSTOP');
    assertOneLineFailure(await runLeaktopIn(ns, ['gc', String(target.pid)]), new RegExp(`^leaktop: process '${target.pid}' is stopped \\(SIGSTOP or a debugger\\): resume it first\\n`));
    process.kill(target.pid, 'SIGCONT');
    await assertNoSigusr1(target, log);
  });

  it('watch --heap, the target stops, Ctrl-C: leaktop exits non-zero at once and says which port still listens', bounded, async () => {
    const target = await startNodeTargetIn(ns, 'idle.cjs');
    const watch = spawn(...inside(ns, [process.execPath, leaktopBin, 'watch', String(target.pid), '--heap', '--json', '--interval', '0.25']), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    watch.stdout.on('data', (c: Buffer) => (out += c.toString()));
    watch.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => watch.on('close', resolve));
    try {
      await waitFor(() => out.split('\n').filter(Boolean).length >= 1, 'a first line');
      const port = (JSON.parse(out.split('\n')[0]!) as { inspectorPort: number }).inspectorPort;
      process.kill(target.pid, 'SIGSTOP');
      await waitFor(() => /\) T /.test(readFileSync(`/proc/${target.pid}/stat`, 'latin1')), 'the stopped state');
      watch.kill('SIGINT');
      // The bound is the test's own timeout: before the fix this took 38 s and exited 0 without a word.
      const code = await exited;
      assert.notEqual(code, 0);
      assert.match(err, new RegExp(`^leaktop: could not close the inspector of process ${target.pid} \\(it is stopped\\): it still listens on 127\\.0\\.0\\.1:${port}\\n`, 'm'));
      process.kill(target.pid, 'SIGCONT');
      await waitFor(() => ports(target.pid).length === 0, 'the queued close to run after SIGCONT');
    } finally {
      watch.kill('SIGKILL');
    }
  });
});

describe('leaktop given its own PID (issue 14, 5)', () => {
  const commands = [['gc', '$$'], ['snapshot', '$$'], ['alloc', '--pid', '$$', '--duration', '1'], ['diff', '--pid', '$$', '--wait', '1'], ['leaks', '--pid', '$$', '--interval', '1'], ['watch', '$$', '--heap', '--count', '1']];
  for (const args of commands) {
    it(`${args[0]} ${args.slice(1).join(' ')} through exec: refused, nothing opened`, bounded, async () => {
      const dir = tempDir('leaktop-self-');
      try {
        const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn('bash', ['-c', `exec "${process.execPath}" "${leaktopBin}" ${args.join(' ')}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
          child.on('close', (code) => resolve({ code, stderr }));
        });
        assert.equal(result.code, 1, result.stderr);
        // watch lists no process of its own, so it refuses with "no Node.js process"; the rest say it is leaktop.
        assert.match(result.stderr, args[0] === 'watch' ? /^leaktop: no Node\.js process with PID/ : /^leaktop: process '\d+' is leaktop itself\n/);
        assert.deepEqual(readdirSync(dir), [], 'no file left behind');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('an inspector meant for every interface (issue 14, 3), inside unshare -n', { skip: !canUnshare && 'unshare --net is not permitted here' }, () => {
  it('--inspect-port=0.0.0.0:9339 on the command line: refused before any signal', bounded, async () => {
    const ns = await startNamespace();
    const target = await startNodeTargetIn(ns, 'signal-log.cjs', [], { nodeArgs: ['--inspect-port=0.0.0.0:9339'] });
    const log = stdoutOf(target);
    const result = await runLeaktopIn(ns, ['gc', String(target.pid)]);
    assertOneLineFailure(result, new RegExp(`^leaktop: process '${target.pid}' puts its inspector on '0\\.0\\.0\\.0', not on loopback \\(--inspect-port=0\\.0\\.0\\.0:9339 in its command line\\)`));
    await assertNoSigusr1(target, log);
    assert.deepEqual(sockets(target.pid), []);
  });

  it('--inspect-port=[::]:9339 in NODE_OPTIONS: refused before any signal', bounded, async () => {
    const ns = await startNamespace();
    const target = await startNodeTargetIn(ns, 'signal-log.cjs', [], { env: { ...process.env, NODE_OPTIONS: '--inspect-port=[::]:9339' } });
    const log = stdoutOf(target);
    const result = await runLeaktopIn(ns, ['gc', String(target.pid)]);
    assertOneLineFailure(result, /puts its inspector on '::', not on loopback \(--inspect-port=\[::\]:9339 in its NODE_OPTIONS\)/);
    await assertNoSigusr1(target, log);
  });

  it('--inspect=0.0.0.0:9339, already listening there: refused too, and left as it was found', bounded, async () => {
    const ns = await startNamespace();
    const target = await startNodeTargetIn(ns, 'idle.cjs', [], { nodeArgs: ['--inspect=0.0.0.0:9339'] });
    const result = await runLeaktopIn(ns, ['gc', String(target.pid)]);
    assertOneLineFailure(result, /puts its inspector on '0\.0\.0\.0', not on loopback \(--inspect=0\.0\.0\.0:9339 in its command line\)/);
    assert.deepEqual(sockets(target.pid), ['0.0.0.0 9339'], 'not leaktop\'s to close');
  });

  it('a flag hidden by process.title: the inspector that opens on 0.0.0.0 is closed at once and reported', bounded, async () => {
    const ns = await startNamespace();
    // The title overwrites the argv area, so /proc/PID/cmdline no longer shows the flag.
    const target = await startNodeTargetIn(ns, 'titled.cjs', ['node app'], { nodeArgs: ['--inspect-port=0.0.0.0:9339'] });
    assert.ok(!readFileSync(`/proc/${target.pid}/cmdline`, 'latin1').includes('9339'), 'the flag is hidden');
    const result = await runLeaktopIn(ns, ['gc', String(target.pid)]);
    assertOneLineFailure(result, new RegExp(`^leaktop: process '${target.pid}' opened its inspector on 0\\.0\\.0\\.0:9339, not on loopback: leaktop closed it at once\\n`));
    assert.deepEqual(sockets(target.pid), [], 'nothing listens, on any address');
    assert.ok(isAlive(target.pid));
  });
});
