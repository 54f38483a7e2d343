import { AnalysisWorker } from '../../analysis/index.js';
import { writeOut } from '../output.js';
import { summaryText } from '../snapshot-text.js';

export interface SummaryOptions {
  file: string;
  top: number;
  json: boolean;
  /** Compute retained sizes (the dominator tree: seconds on a 1 GB file). False with `--no-retained`. @default true */
  retained?: boolean;
}

/**
 * `leaktop summary FILE`: objects per constructor, from any `.heapsnapshot` (leaktop's, DevTools', Node's), read
 * and summarised in the analysis worker.
 */
export async function runSummary(options: SummaryOptions): Promise<void> {
  const analysis = AnalysisWorker.start();
  try {
    await analysis.readFile('file', options.file, { group: true });
    const result = await analysis.summary('file', { retained: options.retained !== false });
    if (options.json) await writeOut(`${JSON.stringify({ ...result, rows: result.rows.slice(0, options.top) })}\n`);
    else await writeOut(summaryText(result, options.top));
  } finally {
    await analysis.terminate();
  }
}
