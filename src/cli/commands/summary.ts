import { retainedSizes, withRetainedSizes } from '../../core/snapshot/retained.js';
import { groupNodes } from '../../core/snapshot/group-nodes.js';
import { summarize } from '../../core/snapshot/summarize.js';
import { writeOut } from '../output.js';
import { readSnapshotFile } from '../read-snapshot-file.js';
import { summaryText } from '../snapshot-text.js';

export interface SummaryOptions {
  file: string;
  top: number;
  json: boolean;
  /** Compute retained sizes (the dominator tree: seconds on a 1 GB file). False with `--no-retained`. @default true */
  retained?: boolean;
}

/** `leaktop summary FILE`: objects per constructor, from any `.heapsnapshot` (leaktop's, DevTools', Node's). */
export async function runSummary(options: SummaryOptions): Promise<void> {
  const snapshot = await readSnapshotFile(options.file, { group: true });
  const grouping = groupNodes(snapshot);
  const summary = summarize(snapshot, grouping);
  const byName = options.retained === false ? null : retainedSizes(snapshot, grouping).byClass;
  const result = withRetainedSizes(summary, byName);
  if (options.json) await writeOut(`${JSON.stringify({ ...result, rows: result.rows.slice(0, options.top) })}\n`);
  else await writeOut(summaryText(result, options.top));
}
