/**
 * The App in process: ink's own render into a fake terminal (a stdout that keeps the last frame, a stdin that is a
 * TTY), a store the test fills, and actions that record their calls. Keys go through ink's input parsing as a
 * terminal's bytes would, so what a test checks is what the keyboard does — in milliseconds, without a pty.
 */
import { PassThrough, Writable } from 'node:stream';
import { render } from '../../src/ui/ink.js';
import type { MonitorStore } from '../../src/state/index.js';
import { App, type Actions, type AppProps } from '../../src/ui/app.js';
import { stripPaint } from '../../src/ui/paint.js';
import { ThemeContext, createTheme } from '../../src/ui/theme.js';

/** A recorded call on the fake actions: its name and arguments. */
export type Call = [name: string, ...args: unknown[]];

/**
 * Actions that do nothing but record what they were asked; `diff` begins a comparison in `diffStore` (as the
 * controller does when there are two snapshots: the App opens the diff view on it) when one is given.
 */
export function recordingActions(options: { diffStore?: MonitorStore } = {}): { actions: Required<Actions>; calls: Call[] } {
  const calls: Call[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
    };
  const actions: Required<Actions> = {
    attach: record('attach'),
    detach: record('detach'),
    gc: record('gc'),
    snapshot: record('snapshot'),
    diff: (...args: unknown[]) => {
      calls.push(['diff', ...args]);
      const key = String(args[0]);
      options.diffStore?.setDiffComputing({ key, pid: Number.parseInt(key, 10), sinceMs: 0 });
    },
    writeDiff: record('writeDiff'),
    sample: record('sample'),
    markAllocations: record('markAllocations'),
    setSamplingInterval: record('setSamplingInterval'),
    inspectClass: record('inspectClass'),
    detectLeaks: record('detectLeaks'),
    readRoom: record('readRoom'),
    trim: record('trim'),
    why: record('why'),
    stopWhy: record('stopWhy'),
  };
  return { actions, calls };
}

class FakeStdout extends Writable {
  readonly isTTY = true;
  frame = '';
  frames = 0;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    // ink's debug mode writes every frame whole.
    this.frame = String(chunk);
    this.frames++;
    callback();
  }
}

class FakeStdin extends PassThrough {
  readonly isTTY = true;
  isRaw = false;
  /** How many times raw mode was switched, on or off. */
  rawSwitches = 0;
  setRawMode(on: boolean): this {
    if (on !== this.isRaw) this.rawSwitches++;
    this.isRaw = on;
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

export interface AppHarness {
  /** The last frame drawn, without colours. */
  frame(): string;
  /** Types `bytes` as a terminal sends them (KEYS from terminal-keys.ts for named keys). */
  type(bytes: string): void;
  /** Resolves when `condition` holds after a frame or a turn of the event loop; fails after `timeoutMs`. */
  waitFor(condition: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Types `bytes` and waits until the frame contains `text`. */
  press(bytes: string, text: string | RegExp): Promise<void>;
  /** Resolves when the App has exited (q). */
  exited: Promise<unknown>;
  stdin: FakeStdin;
  unmount(): void;
}

/** Renders the App at `columns` x `rows` on `store`. */
export function renderApp(props: AppProps, { columns = 80, rows = 24 } = {}): AppHarness {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = render(
    <ThemeContext.Provider value={createTheme({ color: false, ascii: true })}>
      <App {...props} />
    </ThemeContext.Provider>,
    { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, stderr: stdout as unknown as NodeJS.WriteStream, debug: true, exitOnCtrlC: true, patchConsole: false },
  );
  const frame = () => stripPaint(stdout.frame);
  const waitFor = async (condition: () => boolean, what: string, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${frame()}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return {
    frame,
    type: (bytes) => stdin.write(bytes),
    waitFor,
    async press(bytes, text) {
      stdin.write(bytes);
      const seen = () => (typeof text === 'string' ? frame().includes(text) : text.test(frame()));
      await waitFor(seen, `${JSON.stringify(text)} after ${JSON.stringify(bytes)}`);
    },
    exited: instance.waitUntilExit(),
    stdin,
    unmount: () => instance.unmount(),
  };
}
