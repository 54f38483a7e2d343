/**
 * Runs a command in a real pseudo-terminal and feeds everything it prints into a headless xterm.js, so an
 * end-to-end test can read the screen the way a user sees it: text, inverse video, which buffer is active.
 *
 * Both packages are CommonJS; under ESM their `module.exports` is the default import.
 */
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';

const { Terminal } = xterm;

type XTerminal = InstanceType<typeof Terminal>;
type Pty = ReturnType<typeof pty.spawn>;

/** Keys as a terminal sends them. */
export { KEYS } from './terminal-keys.js';

export interface PtyTerminalOptions {
  cols: number;
  rows: number;
  cwd?: string;
  /** The whole environment of the command (not merged with process.env). */
  env: Record<string, string | undefined>;
}

export interface PtyExit {
  exitCode: number;
  /** The signal that killed the process, 0 or undefined when it exited by itself. */
  signal: number | undefined;
}

/** What `waitFor` waits for: text on screen, a pattern, or any condition on the terminal. */
export type ScreenCondition = string | RegExp | ((terminal: PtyTerminal) => boolean);

const POLL_MS = 20;

export class PtyTerminal {
  /** PID of the spawned command (the pty's direct child: no shell in between). */
  readonly pid: number;
  readonly #pty: Pty;
  readonly #term: XTerminal;
  readonly #chunks: Buffer[] = [];
  readonly #exited: Promise<PtyExit>;
  #exit: PtyExit | null = null;
  #disposed = false;

  private constructor(file: string, args: string[], options: PtyTerminalOptions) {
    this.#term = new Terminal({ cols: options.cols, rows: options.rows, allowProposedApi: true, scrollback: 1000 });
    // encoding null: the data arrives as raw bytes; xterm decodes UTF-8 itself, even split across chunks.
    this.#pty = pty.spawn(file, args, {
      name: 'xterm-256color',
      cols: options.cols,
      rows: options.rows,
      cwd: options.cwd ?? process.cwd(),
      env: options.env,
      encoding: null,
    });
    this.pid = this.#pty.pid;
    this.#pty.onData((data: string | Buffer) => {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      this.#chunks.push(bytes);
      this.#term.write(bytes);
    });
    // Answers the terminal gives (cursor position reports and the like) go back to the program, as in a real one.
    this.#term.onData((reply) => {
      if (!this.#exit && !this.#disposed) this.#pty.write(reply);
    });
    this.#exited = new Promise((resolve) => {
      this.#pty.onExit(({ exitCode, signal }) => {
        this.#exit = { exitCode, signal };
        resolve(this.#exit);
      });
    });
  }

  /** Starts `file args` in a fresh `cols`x`rows` pty. */
  static spawn(file: string, args: string[], options: PtyTerminalOptions): PtyTerminal {
    return new PtyTerminal(file, args, options);
  }

  get cols(): number {
    return this.#term.cols;
  }

  get rows(): number {
    return this.#term.rows;
  }

  /** The exit status once the process has ended, else null. */
  get exit(): PtyExit | null {
    return this.#exit;
  }

  /** Resolves once xterm has parsed every byte received so far. */
  flush(): Promise<void> {
    return new Promise((resolve) => this.#term.write('', resolve));
  }

  /** The visible screen, one string per row, trailing blanks trimmed. */
  screenLines(): string[] {
    const buffer = this.#term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.#term.rows; y++) {
      lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    }
    return lines;
  }

  /** The visible screen as text, rows joined by newlines. */
  screenText(): string {
    return this.screenLines().join('\n');
  }

  /** How many cells of visible row `y` (0 = top) are drawn in inverse video. */
  inverseCellCount(y: number): number {
    const buffer = this.#term.buffer.active;
    const line = buffer.getLine(buffer.viewportY + y);
    if (!line) return 0;
    const cell = buffer.getNullCell();
    let count = 0;
    for (let x = 0; x < this.#term.cols; x++) {
      if (line.getCell(x, cell)?.isInverse()) count++;
    }
    return count;
  }

  /** Visible rows at least `minFraction` of whose cells are inverse: a highlighted line, not an inverse word. */
  inverseRows(minFraction = 0.5): number[] {
    const rows: number[] = [];
    for (let y = 0; y < this.#term.rows; y++) {
      if (this.inverseCellCount(y) >= this.#term.cols * minFraction) rows.push(y);
    }
    return rows;
  }

  /** Whether the program has switched the terminal to the alternate screen buffer. */
  isAlternateScreen(): boolean {
    return this.#term.buffer.active.type === 'alternate';
  }

  /** Every byte the program has written, in order. */
  rawOutput(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  /** The bytes written so far, decoded as UTF-8 (escape sequences included). */
  rawText(): string {
    return this.rawOutput().toString('utf8');
  }

  /** Types `data` as if on the keyboard. */
  write(data: string): void {
    if (this.#exit) throw new Error(`cannot write ${JSON.stringify(data)}: the process has exited (${JSON.stringify(this.#exit)})`);
    this.#pty.write(data);
  }

  /** Sends a signal to the process by PID. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (!this.#exit) process.kill(this.pid, signal);
  }

  /**
   * Waits until the condition holds on the parsed screen. On timeout (or when the process exits first) it throws
   * an error that carries the last screen, so a failed test shows what was actually there.
   */
  async waitFor(condition: ScreenCondition, timeoutMs = 10_000, what?: string): Promise<void> {
    const test =
      typeof condition === 'string'
        ? () => this.screenText().includes(condition)
        : condition instanceof RegExp
          ? () => condition.test(this.screenText())
          : () => condition(this);
    const label = what ?? (typeof condition === 'function' ? 'condition' : JSON.stringify(String(condition)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (test()) return;
      if (this.#exit) {
        await this.flush();
        if (test()) return;
        throw new Error(`process ${this.pid} exited (${JSON.stringify(this.#exit)}) while waiting for ${label}\n${this.describeScreen()}`);
      }
      if (Date.now() >= deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}\n${this.describeScreen()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Waits for the process to end; every byte it wrote has been parsed when this resolves. */
  async waitForExit(timeoutMs = 10_000): Promise<PtyExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`process ${this.pid} did not exit within ${timeoutMs} ms\n${this.describeScreen()}`)), timeoutMs);
    });
    try {
      const exit = await Promise.race([this.#exited, timeout]);
      await this.flush();
      return exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The screen framed for an error message, with the active buffer's name. */
  describeScreen(): string {
    const bar = '-'.repeat(this.#term.cols);
    return `screen (${this.#term.buffer.active.type} buffer, ${this.#term.cols}x${this.#term.rows}):\n${bar}\n${this.screenText()}\n${bar}`;
  }

  /** Kills the process by PID if it still runs (SIGKILL), waits for it to go, and frees the pty and the emulator. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    if (!this.#exit) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
      // The pty reports the exit once its output is drained; bounded so a stuck pty cannot hang the test run.
      const exited = await Promise.race([this.#exited.then(() => true), new Promise<false>((resolve) => setTimeout(resolve, 2_000, false).unref())]);
      // Not in the typings: closes the pty's file descriptor, which would otherwise keep the test process alive.
      if (!exited) (this.#pty as unknown as { destroy?(): void }).destroy?.();
    }
    this.#term.dispose();
  }
}
