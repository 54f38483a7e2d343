import { summarize } from '../../core/snapshot/summarize.js';
import { writeOut } from '../output.js';
import { readSnapshotFile } from '../read-snapshot-file.js';
import { summaryText } from '../snapshot-text.js';

export interface SummaryOptions {
  file: string;
  top: number;
  json: boolean;
}

/** `leaktop summary FILE`: objects per constructor, from any `.heapsnapshot` (leaktop's, DevTools', Node's). */
export async function runSummary(options: SummaryOptions): Promise<void> {
  const summary = summarize(await readSnapshotFile(options.file));
  if (options.json) await writeOut(`${JSON.stringify({ ...summary, rows: summary.rows.slice(0, options.top) })}\n`);
  else await writeOut(summaryText(summary, options.top));
}
