import { readCwd } from '../../proc/read-cwd.js';
import { why, type WhyProgress, type WhyStepState } from '../../tasks/why.js';
import { writeErr, writeOut } from '../output.js';
import { cleanUpOnSignals } from '../signals.js';
import { whyJson, whyText } from '../why-text.js';

export interface WhyCommandOptions {
  pid: number;
  /** The watch window (also the sampling window and the span of the snapshots), ms. */
  durationMs: number;
  /** False with `--no-snapshots`. */
  snapshots: boolean;
  json: boolean;
  /** `--thread ID`: a worker thread's isolate (`worker_threads.threadId`); 0 or absent, the main thread's (and its workers watched). */
  threadId?: number;
}

/**
 * `leaktop why PID`: watch, sample, snapshot only with room, report (tasks/why.ts). SIGINT/SIGTERM/SIGHUP stop it:
 * the sampler is stopped and the inspector it opened closed before leaktop exits with the signal's code.
 */
export async function runWhy(options: WhyCommandOptions): Promise<void> {
  const abort = new AbortController();
  let stopping: Promise<void> | null = null;
  let running: Promise<unknown> = Promise.resolve();
  const removeHandlers = cleanUpOnSignals(async () => {
    abort.abort();
    // The workflow closes what it opened on its way out; its end is the cleanup's.
    stopping ??= running.then(
      () => undefined,
      () => undefined,
    );
    await stopping;
    writeErr(`leaktop: stopped; nothing of leaktop's is left running in process ${options.pid}`);
  });
  const progress = new ProgressNotes(options.pid);
  try {
    const run = why({ pid: options.pid, durationMs: options.durationMs, snapshots: options.snapshots, threadId: options.threadId, signal: abort.signal, onProgress: (p) => progress.show(p) });
    running = run;
    const result = await run;
    progress.end();
    const cwd = readCwd(options.pid);
    await writeOut(options.json ? `${JSON.stringify(whyJson(result))}\n` : whyText(result, typeof cwd === 'string' ? cwd : null));
  } catch (error) {
    progress.end();
    if (abort.signal.aborted) return; // the signal handler ends the process with the signal's code
    throw error;
  } finally {
    if (!abort.signal.aborted) removeHandlers();
  }
}

/**
 * Progress for a person at a terminal, on stderr (also with --json): a line per step as it starts and ends, the
 * running step's countdown rewritten in place. Nothing when stderr is not a terminal (a log, a pipe).
 */
class ProgressNotes {
  readonly #tty = process.stderr.isTTY === true;
  #said = new Map<string, string>();
  #countdown = false;

  constructor(readonly pid: number) {}

  show(progress: WhyProgress): void {
    if (!this.#tty) return;
    for (const step of progress.steps) {
      const key = `${step.state}`;
      if (this.#said.get(step.name) !== key && step.state !== 'waiting') {
        this.#said.set(step.name, key);
        this.#line(`${step.name}: ${step.state}${step.detail ? ` — ${step.detail}` : ''}`);
      } else if (step.state === 'running' && step.secondsLeft !== null) this.#tick(step);
    }
  }

  #tick(step: WhyStepState): void {
    process.stderr.write(`\r\x1b[Kleaktop: ${step.name}: ${step.detail.slice(0, 50)} ${step.secondsLeft} s left`);
    this.#countdown = true;
  }

  #line(text: string): void {
    if (this.#countdown) process.stderr.write('\r\x1b[K');
    this.#countdown = false;
    writeErr(`leaktop: ${text.slice(0, 200)}`);
  }

  end(): void {
    if (this.#countdown) process.stderr.write('\r\x1b[K');
    this.#countdown = false;
  }
}
