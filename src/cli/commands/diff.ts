import { diffSnapshots, prepareSnapshot, withShapesOf, type DiffSort } from '../../core/snapshot/diff-snapshots.js';
import { retainedSizes, retainedSizesFor } from '../../core/snapshot/retained.js';
import { diffWithExtras } from '../diff-extras.js';
import { writeOut } from '../output.js';
import { readSidecar, readSnapshotFile } from '../read-snapshot-file.js';
import { diffText } from '../snapshot-text.js';

export interface DiffFilesOptions {
  a: string;
  b: string;
  top: number;
  sort: DiffSort;
  json: boolean;
  /** Retained sizes per constructor (false with `--no-retained`). @default true */
  retained?: boolean;
  /** Retainer paths of the top growing constructors (`--paths`). */
  paths?: boolean;
}

/**
 * `leaktop diff A B`: the top growing constructors from A to B. Object ids are compared only when leaktop's
 * sidecars show both snapshots came from one inspector session.
 */
export async function runDiffFiles(options: DiffFilesOptions): Promise<void> {
  const sessionA = readSidecar(options.a)?.sessionId;
  const idsComparable = sessionA !== undefined && sessionA === readSidecar(options.b)?.sessionId;
  const a = prepareSnapshot(await readSnapshotFile(options.a, { group: true }), idsComparable);
  const retainedA = options.retained === false ? null : retainedSizes(a.snapshot, a.grouping);
  const b = prepareSnapshot(await readSnapshotFile(options.b, { group: true }), idsComparable);
  const retainedB = options.retained === false ? null : retainedSizes(b.snapshot, b.grouping);
  // A's objects named by B's shapes, as DevTools' Comparison names them; A's retained sizes follow.
  const base = withShapesOf(a, b);
  const retainedBase = retainedA && retainedSizesFor(retainedA, base.grouping);
  const diff = diffWithExtras(diffSnapshots(base, b, { idsComparable, sort: options.sort }), { top: options.top, a: base, b, retainedA: retainedBase, retainedB, paths: options.paths === true });
  if (options.json) await writeOut(`${JSON.stringify(diff)}\n`);
  else await writeOut(diffText(diff, options.top));
}
