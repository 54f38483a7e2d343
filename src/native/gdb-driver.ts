import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * One gdb process driven command by command over its stdin, so that leaktop decides between two commands (is the
 * thread safe to call on? did the call end?) while the target is stopped. Each command is followed by an `echo`
 * of a numbered marker; what gdb printed up to the marker (stdout and stderr, in one pipe) is its output.
 *
 * gdb runs in its own process group: a Ctrl-C at the terminal reaches leaktop only, and leaktop decides whether
 * gdb may be interrupted (see trim-memory.ts). If leaktop dies, gdb reads end-of-file on stdin and quits, and
 * quitting detaches from a process it attached to (it never kills one it did not start).
 */
export class GdbDriver {
  readonly #child: ChildProcessWithoutNullStreams;
  #output = '';
  #marker = 0;
  #exited = false;
  readonly #exit: Promise<void>;
  #waiter: (() => void) | undefined;

  constructor(gdbPath: string, args: readonly string[]) {
    // gdb's errors (stderr) and its normal output (stdout) must arrive in the order gdb wrote them, or an error
    // could come after the next command's marker (seen under load); so one pipe for both. exec: the child's PID
    // is gdb's own.
    this.#child = spawn('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', gdbPath, '-nx', '-q', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, LC_ALL: 'C' },
    });
    const take = (chunk: Buffer) => {
      this.#output += chunk.toString();
      this.#waiter?.();
    };
    this.#child.stdout.on('data', take);
    this.#child.stderr.on('data', take);
    this.#child.stdin.on('error', () => undefined); // gdb gone: the exit below says so
    this.#exit = new Promise<void>((resolve) => {
      this.#child.once('error', () => resolve());
      this.#child.once('close', () => resolve());
    }).then(() => {
      this.#exited = true;
      this.#waiter?.();
    });
  }

  /** gdb's PID (for a test's check that nothing is left running). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /**
   * Runs one command and resolves with what gdb printed for it, or rejects with `GdbTimeout` when it has not
   * finished within `timeoutMs` (the command keeps running in gdb: the caller decides what to do), or `GdbExited`.
   */
  run(command: string, timeoutMs: number): Promise<string> {
    const marker = `<leaktop-${++this.#marker}>`;
    this.#child.stdin.write(`${command}\necho \\n${marker}\\n\n`);
    return this.#until(marker, timeoutMs);
  }

  /** Waits longer for the command `run` gave up on; resolves with its output. */
  waitMore(timeoutMs: number): Promise<string> {
    return this.#until(`<leaktop-${this.#marker}>`, timeoutMs);
  }

  /** SIGINT to gdb: it stops the process it runs (as Ctrl-C would) and prints where. */
  interrupt(): void {
    if (!this.#exited) this.#child.kill('SIGINT');
  }

  /**
   * Closes gdb's stdin and waits up to `timeoutMs` for it to end (it detaches on the way). gdb is never killed:
   * killed in the middle of a call, it would leave the thread returning to a breakpoint nobody handles, and the
   * kernel would end the process with SIGTRAP. One that does not end in time is left to finish and quit alone.
   */
  async quit(timeoutMs = 5000): Promise<void> {
    if (!this.#exited) this.#child.stdin.end('quit\n');
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([this.#exit.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)))]);
    clearTimeout(timer);
    if (!gaveUp) return;
    this.#child.unref();
    for (const stream of [this.#child.stdout, this.#child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
  }

  #until(marker: string, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new GdbTimeout(marker)), timeoutMs);
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.#waiter = undefined;
        if (error) return reject(error);
        const end = this.#output.indexOf(marker);
        const text = this.#output.slice(0, end).replace(/\(gdb\) /g, '');
        this.#output = this.#output.slice(end + marker.length);
        resolve(text);
      };
      this.#waiter = () => {
        if (this.#output.includes(marker)) done();
        else if (this.#exited) done(new GdbExited(this.#output));
      };
      this.#waiter();
    });
  }
}

/** A command did not finish in time; it may still be running in gdb. */
export class GdbTimeout extends Error {
  constructor(marker: string) {
    super(`gdb did not finish ${marker} in time`);
    this.name = 'GdbTimeout';
  }
}

/** gdb ended before the command finished; `output` is all it printed. */
export class GdbExited extends Error {
  constructor(readonly output: string) {
    super(`gdb exited: ${output.trim().split('\n').at(-1) ?? ''}`);
    this.name = 'GdbExited';
  }
}
