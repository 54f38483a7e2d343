import { AnalysisWorker } from '../../analysis/index.js';
import { UserError } from '../../core/user-error.js';
import { writeOut } from '../output.js';
import { retainersText } from '../snapshot-text.js';

export interface RetainersOptions {
  file: string;
  /** The constructor, as the summary names it. */
  name: string;
  /** Objects listed and path groups shown. */
  limit: number;
  json: boolean;
}

/**
 * `leaktop retainers FILE --name CONSTRUCTOR`: its objects, biggest retained first, and why they are alive —
 * computed in the analysis worker.
 */
export async function runRetainers(options: RetainersOptions): Promise<void> {
  const analysis = AnalysisWorker.start();
  try {
    await analysis.readFile('file', options.file, { group: true });
    const { found, near } = await analysis.classObjects({ id: 'file', ref: { name: options.name }, limit: options.limit, pathLimit: options.limit });
    if (!found) {
      throw new UserError(`no objects of '${options.name}' in '${options.file}'`, {
        hint: near.length > 0 ? `Did you mean: ${near.map((n) => `'${n}'`).join(', ')}?` : "Names are as 'leaktop summary' prints them (case matters).",
      });
    }
    const { name, count, selfSize, retainedSize, objects, paths } = found;
    if (options.json) await writeOut(`${JSON.stringify({ name, count, selfSize, retainedSize, objects: objects.map((o) => ({ id: o.id, selfSize: o.selfSize, retainedSize: o.retainedSize })), paths })}\n`);
    else await writeOut(retainersText(found, options.file));
  } finally {
    await analysis.terminate();
  }
}
