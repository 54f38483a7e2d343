import { resolve } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { formatBytes } from '../core/format.js';
import { diffSnapshots, prepareSnapshot, type DiffSort, type PreparedSnapshot } from '../core/snapshot/diff-snapshots.js';
import { SnapshotParser } from '../core/snapshot/parse-snapshot.js';
import { UserError } from '../core/user-error.js';
import { defaultSnapshotName, takeSnapshot } from '../inspector/take-snapshot.js';
import { InspectorSession } from '../inspector/session.js';
import { withTimeout } from '../inspector/with-timeout.js';
import type { HeapReading, MonitorStore } from '../state/index.js';

/** How a session manager starts sessions; a test may count or fail them. */
export type AttachFn = (pid: number, options: { startTimeTicks: number }) => Promise<InspectorSession>;

/**
 * The inspector sessions of a running leaktop, one per process at most, and the actions on them. It is the only
 * owner of sessions: it keeps the store's `attachments` in step, turns failures into a status line, and closes
 * every inspector it opened on the way out (`detachAll`).
 */
export class SessionManager {
  readonly #sessions = new Map<string, InspectorSession>();
  readonly #store: MonitorStore;
  readonly #attach: AttachFn;
  /** The last two parsed snapshots per process (for `d`); older ones are dropped to bound memory. */
  readonly #parsed = new Map<string, Array<{ path: string; snapshot: PreparedSnapshot }>>();
  readonly #snapshotDir: string;

  constructor(store: MonitorStore, options: { attach?: AttachFn; snapshotDir?: string } = {}) {
    this.#store = store;
    this.#attach = options.attach ?? ((pid, attachOptions) => InspectorSession.attach(pid, attachOptions));
    this.#snapshotDir = resolve(options.snapshotDir ?? '.');
  }

  /**
   * Takes a heap snapshot (GC first), attaching first when needed; the file goes to the snapshot directory and is
   * parsed from its chunks as they arrive, so `d` can compare it at once.
   */
  async snapshot(key: string): Promise<void> {
    if (!this.#sessions.has(key)) await this.attach(key);
    const session = this.#sessions.get(key);
    if (!session) return;
    if (this.#store.getState().attachments.get(key)?.capture) return this.#store.setStatus('a snapshot of that process is already running');
    const path = `${this.#snapshotDir}/${defaultSnapshotName(session.pid, new Date())}`;
    const parser = new SnapshotParser();
    this.#store.updateAttachment(key, { capture: { stage: 'full GC' } });
    try {
      let written = 0;
      const file = await takeSnapshot(session, {
        path,
        onProgress: (done, total) => this.#store.updateAttachment(key, { capture: { stage: `building ${Math.floor((done / Math.max(1, total)) * 100)}%` } }),
        onChunk: (chunk) => {
          parser.write(chunk);
          written += chunk.length;
          // One frame per MiB at most: chunks come every few milliseconds.
          if (written % (1024 * 1024) < chunk.length) this.#store.updateAttachment(key, { capture: { stage: `writing ${formatBytes(written)}` } });
        },
      });
      const parsed = this.#parsed.get(key) ?? [];
      // Prepared now (grouping, ids sorted), so that `d` later only compares.
      parsed.push({ path: file.path, snapshot: prepareSnapshot(parser.end()) });
      this.#parsed.set(key, parsed.slice(-2));
      const previous = this.#store.getState().attachments.get(key)?.snapshots ?? [];
      this.#store.updateAttachment(key, { capture: null, snapshots: [...previous, { path: file.path, bytes: file.bytes, takenAtMs: Date.now() }] });
      // The file name only: the directory was named in the question, and the line must fit 80 columns.
      const name = file.path.slice(file.path.lastIndexOf('/') + 1);
      this.#store.setStatus(`${parsed.length >= 2 ? 'd compares the last two. ' : ''}Saved ${name} (${formatBytes(file.bytes)}, ${(file.durationMs / 1000).toFixed(1)} s)`);
    } catch (error) {
      this.#store.updateAttachment(key, { capture: null });
      this.#fail(error);
    }
  }

  /** Compares the last two snapshots of the process (same session: new and freed objects by id). */
  diff(key: string, sort: DiffSort = 'size'): boolean {
    const parsed = this.#parsed.get(key);
    const session = this.#sessions.get(key);
    if (!parsed || parsed.length < 2 || !session) {
      this.#fail(new UserError('take two snapshots of that process first (s, then s again later)'));
      return false;
    }
    const [a, b] = parsed as [{ path: string; snapshot: PreparedSnapshot }, { path: string; snapshot: PreparedSnapshot }];
    this.#store.setDiff({ pid: session.pid, aPath: a.path, bPath: b.path, diff: diffSnapshots(a.snapshot, b.snapshot, { idsComparable: true, sort }) });
    return true;
  }

  /** Writes the current diff view to a file beside the snapshots, as text or JSON. */
  async writeDiff(format: 'text' | 'json', text: () => string): Promise<void> {
    const current = this.#store.getState().diff;
    if (!current) return;
    const path = `${this.#snapshotDir}/leaktop-diff-${current.pid}-${Date.now()}.${format === 'json' ? 'json' : 'txt'}`;
    try {
      await writeFile(path, format === 'json' ? `${JSON.stringify(current.diff, null, 2)}\n` : text());
      this.#store.setStatus(`Written: ${path}`);
    } catch (error) {
      this.#fail(new UserError(`could not write '${path}': ${(error as Error).message}`, { cause: error }));
    }
  }

  /** Sessions now open. */
  get size(): number {
    return this.#sessions.size;
  }

  session(key: string): InspectorSession | undefined {
    return this.#sessions.get(key);
  }

  /** Opens a session on the process with this key (a no-op when one exists or is opening). */
  async attach(key: string): Promise<void> {
    if (this.#store.getState().attachments.has(key)) return;
    const tracked = this.#store.getState().processes.find((p) => p.key === key);
    if (!tracked) return this.#fail(new UserError('that process has exited'));
    const { pid, startTimeTicks } = tracked.sample;
    this.#store.setAttachment({ key, pid, phase: 'attaching', port: null, openedByLeaktop: false, nodeVersion: null, heap: null, gc: null });
    try {
      const session = await this.#attach(pid, { startTimeTicks });
      this.#sessions.set(key, session);
      this.#store.updateAttachment(key, { phase: 'attached', port: session.port, openedByLeaktop: session.openedByLeaktop, nodeVersion: session.nodeVersion });
      this.#store.setStatus(
        session.openedByLeaktop
          ? `Attached to ${pid}: leaktop opened its inspector on 127.0.0.1:${session.port} (x detaches and closes it)`
          : `Attached to ${pid} through its own inspector on 127.0.0.1:${session.port} (left open on detach)`,
      );
      void session.connection.closed.then(() => this.#lost(key, pid));
    } catch (error) {
      this.#store.removeAttachment(key);
      this.#fail(error);
    }
  }

  /** Ends the session of this process, closing the inspector if leaktop opened it. */
  async detach(key: string): Promise<void> {
    const session = this.#sessions.get(key);
    if (!session) return;
    this.#parsed.delete(key);
    this.#store.updateAttachment(key, { phase: 'detaching' });
    this.#sessions.delete(key);
    try {
      await session.detach();
      this.#store.setStatus(session.openedByLeaktop ? `Detached from ${session.pid}; its inspector is closed` : `Detached from ${session.pid}`);
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#store.removeAttachment(key);
    }
  }

  /** Forces a full GC in the process and records what it freed. */
  async collectGarbage(key: string): Promise<void> {
    const session = this.#sessions.get(key);
    if (!session) return this.#fail(new UserError('attach first (a) to run a GC in that process'));
    this.#store.updateAttachment(key, { gc: { running: true } });
    try {
      const result = await session.collectGarbage();
      this.#store.updateAttachment(key, { gc: { running: false, ...result } });
      const freed = result.heapUsedBeforeBytes - result.heapUsedAfterBytes;
      this.#store.setStatus(`GC in ${session.pid}: freed ${Math.max(0, Math.round(freed / 1024))} KiB in ${Math.round(result.durationMs)} ms`);
    } catch (error) {
      this.#store.updateAttachment(key, { gc: null });
      this.#fail(error);
    }
  }

  /**
   * Heap figures of every attached process — heap used/total, `process.memoryUsage()` and the heap spaces, three
   * ~0.2 ms requests — read concurrently; a session that does not answer within `timeoutMs` is left out of this
   * tick (a gap), not waited for.
   */
  async readHeaps(timeoutMs = 500): Promise<Map<string, HeapReading>> {
    const readings = new Map<string, HeapReading>();
    await Promise.all(
      [...this.#sessions].map(async ([key, session]) => {
        const read = async (): Promise<HeapReading> => {
          const [usage, memory, spaces] = await Promise.all([session.heapUsage(), session.memoryUsage(), session.heapSpaces()]);
          return { ...usage, memory, spaces };
        };
        const reading = await withTimeout(read(), timeoutMs).catch(() => undefined);
        if (reading) readings.set(key, reading);
      }),
    );
    return readings;
  }

  /** Ends every session, closing what leaktop opened; each gets at most `timeoutMs`. */
  async detachAll(timeoutMs = 5000): Promise<void> {
    await Promise.all(
      [...this.#sessions.keys()].map((key) => withTimeout(this.detach(key), timeoutMs)),
    );
  }

  #lost(key: string, pid: number): void {
    if (!this.#sessions.has(key)) return; // a detach we asked for
    this.#sessions.delete(key);
    this.#parsed.delete(key);
    this.#store.removeAttachment(key);
    this.#store.setStatus(`The inspector session with ${pid} ended (the process exited or closed it)`, 'error');
  }

  #fail(error: unknown): void {
    if (error instanceof UserError) this.#store.setStatus(`${error.message}${error.hint ? ` — ${error.hint}` : ''}`, 'error');
    else this.#store.setStatus(`unexpected error: ${(error as Error).message}`, 'error');
  }
}
