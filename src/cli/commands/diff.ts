import { diffSnapshots, type DiffSort } from '../../core/snapshot/diff-snapshots.js';
import { writeOut } from '../output.js';
import { readSidecar, readSnapshotFile } from '../read-snapshot-file.js';
import { diffText } from '../snapshot-text.js';

export interface DiffFilesOptions {
  a: string;
  b: string;
  top: number;
  sort: DiffSort;
  json: boolean;
}

/**
 * `leaktop diff A B`: the top growing constructors from A to B. Object ids are compared only when leaktop's
 * sidecars show both snapshots came from one inspector session.
 */
export async function runDiffFiles(options: DiffFilesOptions): Promise<void> {
  const a = await readSnapshotFile(options.a);
  const b = await readSnapshotFile(options.b);
  const sessionA = readSidecar(options.a)?.sessionId;
  const idsComparable = sessionA !== undefined && sessionA === readSidecar(options.b)?.sessionId;
  const diff = diffSnapshots(a, b, { idsComparable, sort: options.sort });
  if (options.json) await writeOut(`${JSON.stringify({ ...diff, rows: diff.rows.slice(0, options.top) })}\n`);
  else await writeOut(diffText(diff, options.top));
}
