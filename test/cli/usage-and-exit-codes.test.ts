import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { after, test } from 'node:test';
import { buildProgram } from '../../src/cli/program.js';
import { killAllTargets, leaktopBin, runLeaktop, startNodeTarget } from '../helpers/targets.js';

after(() => killAllTargets());

/** One command line per command, each with one argument too many. */
const EXCESS: Record<string, string[]> = {
  list: ['list', 'extra'],
  watch: ['watch', '--heap', '1', '2', 'x'], // PIDs are variadic: a non-PID is refused instead
  gc: ['gc', '1', '2', '3'],
  snapshot: ['snapshot', '1', '2'],
  summary: ['summary', 'a.heapsnapshot', 'b.heapsnapshot'],
  diff: ['diff', 'a', 'b', 'c'],
  leaks: ['leaks', '--pid', '1', 'extra'],
  retainers: ['retainers', 'a', 'b', '--name', 'X'],
  alloc: ['alloc', 'extra', '--pid', '1', '--duration', '1'],
};

test('every command refuses extra arguments: a usage error (exit 2), nothing done', async () => {
  const commands = buildProgram('0.0.0', () => undefined).commands;
  for (const command of commands) {
    const name = command.name();
    // A command added later without a case here: its positional arguments (as PIDs, the most common) and one more.
    const args = EXCESS[name] ?? [name, ...command.registeredArguments.map(() => '1'), 'extra'];
    const { code, stdout, stderr } = await runLeaktop(args);
    assert.equal(code, 2, `${name}: ${stderr}`);
    assert.equal(stdout, '');
    if (EXCESS[name]) assert.match(stderr, /^leaktop: (too many arguments for '\w+'|command-argument value 'x' is invalid|give either three files or --pid, not both)/, name);
    assert.match(stderr, /Run 'leaktop --help' for usage\.\n$/);
  }
  assert.ok(commands.length >= Object.keys(EXCESS).length);
  assert.equal(existsSync('a.heapsnapshot'), false);
});

test('watch ends with 128 + the signal on SIGINT, SIGTERM and SIGHUP, as every other command', async () => {
  const target = await startNodeTarget('idle.cjs');
  for (const [signal, expected] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    const watch = spawn(process.execPath, [leaktopBin, 'watch', String(target.pid), '--interval', '0.25'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    watch.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => watch.on('close', resolve));
    try {
      // The header, then a first row: the loop is running.
      const deadline = Date.now() + 15_000;
      while (!out.includes(`${target.pid} `) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      assert.ok(out.includes(`${target.pid} `), out);
      watch.kill(signal);
      assert.equal(await exited, expected, signal);
    } finally {
      watch.kill('SIGKILL');
    }
  }
});

test('gc on a kernel thread says so; as root, on a process whose exe even root cannot read, says that', async (t) => {
  let kthread = false;
  try {
    kthread = readFileSync('/proc/2/stat', 'latin1').includes('(kthreadd)');
  } catch {
    // no PID 2 in this PID namespace
  }
  if (kthread) {
    const { code, stderr } = await runLeaktop(['gc', '2']);
    assert.equal(code, 1);
    assert.match(stderr, /^leaktop: process '2' is a kernel thread, not a Node\.js process\n/);
  } else t.diagnostic('PID 2 is not kthreadd here (a PID namespace?): the kernel-thread case was not run');
  let readable = true;
  try {
    readlinkSync('/proc/1/exe');
  } catch (error) {
    readable = (error as NodeJS.ErrnoException).code !== 'EACCES';
  }
  if (process.geteuid?.() === 0 && !readable) {
    const { code, stderr } = await runLeaktop(['gc', '1']);
    assert.equal(code, 1);
    assert.match(stderr, /^leaktop: cannot read \/proc\/1\/exe \(permission denied, even to root\): process '1' is not inspectable\n/);
    assert.doesNotMatch(stderr, /another user/);
  } else t.diagnostic('/proc/1/exe is readable here (or not root): the unreadable-exe case was not run');
  const gone = await runLeaktop(['gc', '4194304']);
  assert.match(gone.stderr, /does not exist/);
});
