import { groupNodes } from '../../core/snapshot/group-nodes.js';
import { computeDominators } from '../../core/snapshot/dominators.js';
import { classObjects, classObjectsJson } from '../../core/snapshot/retained.js';
import { RetainerPaths } from '../../core/snapshot/retainer-paths.js';
import { UserError } from '../../core/user-error.js';
import { writeOut } from '../output.js';
import { readSnapshotFile } from '../read-snapshot-file.js';
import { retainersText } from '../snapshot-text.js';

export interface RetainersOptions {
  file: string;
  /** The constructor, as the summary names it. */
  name: string;
  /** Objects listed and path groups shown. */
  limit: number;
  json: boolean;
}

/** `leaktop retainers FILE --name CONSTRUCTOR`: its objects, biggest retained first, and why they are alive. */
export async function runRetainers(options: RetainersOptions): Promise<void> {
  const snapshot = await readSnapshotFile(options.file, { group: true });
  const grouping = groupNodes(snapshot);
  if (!grouping.names.includes(options.name)) {
    const lower = options.name.toLowerCase();
    const near = grouping.names.filter((n) => n.toLowerCase().includes(lower)).slice(0, 5);
    throw new UserError(`no objects of '${options.name}' in '${options.file}'`, {
      hint: near.length > 0 ? `Did you mean: ${near.map((n) => `'${n}'`).join(', ')}?` : "Names are as 'leaktop summary' prints them (case matters).",
    });
  }
  const tree = computeDominators(snapshot, { selfSizes: grouping.selfSizes });
  const paths = new RetainerPaths(snapshot, grouping);
  const found = classObjects(snapshot, grouping, paths, options.name, { tree, limit: options.limit, pathLimit: options.limit })!;
  if (options.json) await writeOut(`${JSON.stringify(classObjectsJson(found))}\n`);
  else await writeOut(retainersText(found, options.file));
}
