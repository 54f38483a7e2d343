import { AnalysisWorker } from '../../analysis/index.js';
import type { DiffSort } from '../../core/snapshot/diff-snapshots.js';
import { compareSnapshots } from '../../tasks/index.js';
import { writeOut } from '../output.js';
import { readSidecar } from '../read-snapshot-file.js';
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
 * sidecars show both snapshots came from one inspector session. Read and compared in the analysis worker.
 */
export async function runDiffFiles(options: DiffFilesOptions): Promise<void> {
  const sessionA = readSidecar(options.a)?.sessionId;
  const idsComparable = sessionA !== undefined && sessionA === readSidecar(options.b)?.sessionId;
  const analysis = AnalysisWorker.start();
  try {
    await analysis.readFile('A', options.a, { group: true });
    const retained = options.retained !== false;
    // A's share (grouping, ids, dominator tree) before B is read: the order, and so the peak memory, of before.
    await analysis.prepare('A', { retained, ids: idsComparable });
    await analysis.readFile('B', options.b, { group: true });
    const diff = await compareSnapshots(analysis, 'A', 'B', { sort: options.sort, idsComparable, retained, top: options.top, paths: options.paths === true });
    if (options.json) await writeOut(`${JSON.stringify(diff)}\n`);
    else await writeOut(diffText(diff, options.top));
  } finally {
    await analysis.terminate();
  }
}
