/**
 * `d` and what follows it: the diff of the last two snapshots of a process (tasks/compare-snapshots.ts, the same as
 * the CLI's), the objects of one constructor with their retainer paths (Enter on a diff row), and the diff written
 * to a file (`w`). All computed in the analysis worker; keys and redraws go on meanwhile.
 */
import type { DiffSort } from '../core/snapshot/diff-snapshots.js';
import type { ClassRef } from '../core/snapshot/retained.js';
import { UserError } from '../core/user-error.js';
import { writePrivateFile } from '../files/private-file.js';
import type { MonitorStore } from '../state/index.js';
import { compareSnapshots } from '../tasks/index.js';
import { reportFailure } from './report-failure.js';
import type { Sessions } from './sessions.js';
import type { HeldSnapshot, Snapshots } from './snapshots.js';

export class Compare {
  readonly #store: MonitorStore;
  readonly #sessions: Sessions;
  readonly #snapshots: Snapshots;
  /** The diff being computed (`d`): a later `d` makes an earlier result stale. */
  #run = 0;

  constructor(store: MonitorStore, sessions: Sessions, snapshots: Snapshots) {
    this.#store = store;
    this.#sessions = sessions;
    this.#snapshots = snapshots;
  }

  /**
   * Compares the last two snapshots of the process (same session: new and freed objects by id), in the analysis
   * worker. When there are two to compare, the store's `diffComputing` says so at once (the view opens on it) and
   * the result follows; when not, the status says what to do.
   */
  diff(key: string, sort: DiffSort = 'size'): void {
    const held = this.#snapshots.held(key);
    const session = this.#sessions.get(key);
    if (held.length < 2 || !session) {
      return reportFailure(this.#store, new UserError('take two snapshots of that process first (s, then s again later)'));
    }
    const [a, b] = held.slice(-2) as [HeldSnapshot, HeldSnapshot];
    const run = ++this.#run;
    this.#store.setDiffComputing({ key, pid: session.pid, sinceMs: Date.now() });
    this.#store.setStatus(`Comparing the last two snapshots of ${session.pid}...`);
    void (async () => {
      try {
        const diff = await compareSnapshots(this.#snapshots.worker(), a.id, b.id, { sort, idsComparable: true, retained: true, paths: false });
        if (run !== this.#run) return;
        this.#store.setDiff({ pid: session.pid, aId: a.id, bId: b.id, aPath: a.path, bPath: b.path, diff, key });
        this.#store.clearStatus();
      } catch (error) {
        if (run !== this.#run) return;
        this.#store.setDiff(null);
        reportFailure(this.#store, error);
      }
    })();
  }

  /**
   * Enter on a diff row: the objects of that constructor in the later snapshot, new ones first, with shallow and
   * retained sizes and their grouped retainer paths, from the analysis worker. The reverse-edge index and distances
   * are built on the first Enter of a diff (a second or so on a large heap: the status says so first), then reused.
   */
  async inspectClass(ref: ClassRef): Promise<void> {
    const { name } = ref;
    const diff = this.#store.getState().diff;
    const a = diff && this.#snapshots.get(diff.aId);
    const b = diff && this.#snapshots.get(diff.bId);
    if (!diff || !a || !b) return reportFailure(this.#store, new UserError('the snapshots of this diff are gone (detached?): take two again (s, s, d)'));
    const empty = { pid: diff.pid, name, count: 0, selfSize: 0, retainedSize: null, newCount: null, objects: [], pathsOfNew: false, paths: [] };
    this.#store.setObjects({ ...empty, computing: true });
    try {
      if (this.#snapshots.pathsBuiltFor !== b.id) this.#store.setStatus(`Finding retainer paths in ${b.path.slice(b.path.lastIndexOf('/') + 1)}...`);
      const { found } = await this.#snapshots.worker().classObjects({ id: b.id, earlier: a.id, ref, limit: 20, pathLimit: 8 });
      this.#snapshots.pathsBuiltFor = b.id;
      if (this.#store.getState().objects?.name !== name) return; // another row was opened meanwhile
      if (!found) {
        this.#store.setObjects({ ...empty, computing: false });
        return this.#store.setStatus(`no ${name} objects in the later snapshot (all freed)`);
      }
      this.#store.setObjects({
        pid: diff.pid,
        name,
        computing: false,
        count: found.count,
        selfSize: found.selfSize,
        retainedSize: found.retainedSize,
        newCount: found.newCount,
        objects: found.objects.map(({ id, selfSize, retainedSize, isNew }) => ({ id, selfSize, retainedSize, isNew })),
        pathsOfNew: found.pathsOfNew,
        paths: found.paths,
      });
      this.#store.clearStatus();
    } catch (error) {
      this.#store.setObjects(null);
      reportFailure(this.#store, error);
    }
  }

  /** Writes the current diff view to a file beside the snapshots, as text or JSON. */
  async writeDiff(format: 'text' | 'json', text: () => string): Promise<void> {
    const current = this.#store.getState().diff;
    if (!current) return;
    const path = `${this.#snapshots.dir}/leaktop-diff-${current.pid}-${Date.now()}.${format === 'json' ? 'json' : 'txt'}`;
    try {
      await writePrivateFile(path, format === 'json' ? `${JSON.stringify(current.diff, null, 2)}\n` : text());
      this.#store.setStatus(`Written: ${path}`);
    } catch (error) {
      reportFailure(this.#store, error instanceof UserError ? error : new UserError(`could not write '${path}': ${(error as Error).message}`, { cause: error }));
    }
  }
}
