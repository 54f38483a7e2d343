import { InspectorSession } from '../inspector/session.js';
import { withTimeout } from '../inspector/with-timeout.js';
import type { HeapReading, MonitorStore, TrackedProcess } from '../state/index.js';

/** A heap reading that takes longer than this is a gap in this tick: a stuck target never holds the tick up. */
const READ_TIMEOUT_MS = 1000;

/**
 * `serve --heap`: an inspector session on each inspectable Node process, opened as the TUI's `a` opens one (an
 * inspector already listening is used and left open; one leaktop opens is closed on detach), one at a time in the
 * background so that a slow attach never delays a tick. A process whose attach failed is not tried again (its
 * reason is logged once). `close` detaches them all, on every exit path of serve.
 */
export class HeapSessions {
  readonly #sessions = new Map<string, InspectorSession>();
  /** Keys tried once (attached, attaching, or failed): never attached twice. */
  readonly #tried = new Set<string>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    /** Told of each attach (a mark): opening an inspector moves RSS by itself, and the growth judgement leaves it out. */
    private readonly store: MonitorStore,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts attaching to the processes not tried yet, and detaches the sessions of processes that have exited. */
  follow(processes: readonly TrackedProcess[]): void {
    const live = new Set(processes.map((p) => p.key));
    for (const [key, session] of this.#sessions) {
      if (live.has(key)) continue;
      this.#sessions.delete(key);
      void session.detach().catch((error: unknown) => this.log(`leaktop: ${messageOf(error)}`));
    }
    for (const key of this.#tried) if (!live.has(key)) this.#tried.delete(key);
    for (const tracked of processes) {
      if (this.#tried.has(tracked.key) || !tracked.sample.inspectable) continue;
      this.#tried.add(tracked.key);
      const { pid, startTimeTicks } = tracked.sample;
      this.#queue = this.#queue.then(async () => {
        if (this.#closed) return;
        this.store.markAction(tracked.key, 'attach', { untilMs: Infinity });
        try {
          const session = await InspectorSession.attach(pid, { startTimeTicks }).finally(() => this.store.endAction(tracked.key, 'attach'));
          // Closed while attaching: this session is detached right away, as close() would have.
          if (this.#closed) return void (await session.detach().catch((error: unknown) => this.log(`leaktop: ${messageOf(error)}`)));
          this.#sessions.set(tracked.key, session);
          this.log(`leaktop: attached to ${pid} (${session.openedByLeaktop ? `opened its inspector on 127.0.0.1:${session.port}; closed on exit` : `its own inspector on 127.0.0.1:${session.port}`})`);
        } catch (error) {
          this.log(`leaktop: no heap figures for ${pid}: ${messageOf(error)}`);
        }
      });
    }
  }

  /**
   * One reading per session, each bounded; a session that does not answer is a gap this tick. The same three
   * requests as the monitor's (heap used/total, process.memoryUsage(), the heap spaces): the growth judgement uses
   * external, the committed heap and the old space's falls (full GCs).
   */
  async read(): Promise<Map<string, HeapReading>> {
    const readings = new Map<string, HeapReading>();
    await Promise.all(
      [...this.#sessions].map(async ([key, session]) => {
        const figures = Promise.all([session.heapUsage(), session.memoryUsage(), session.heapSpaces()]);
        const read = await withTimeout(figures, READ_TIMEOUT_MS).catch(() => undefined);
        if (read) readings.set(key, { ...read[0], memory: read[1], spaces: read[2] });
      }),
    );
    return readings;
  }

  /** Detaches every session, closing the inspectors leaktop opened. Rejects with the first failure after trying all. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    const results = await Promise.allSettled(sessions.map((session) => session.detach()));
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    for (const failure of failures.slice(1)) this.log(`leaktop: ${messageOf(failure)}`);
    if (failures.length > 0) throw failures[0];
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
