import { setTimeout as sleep } from 'node:timers/promises';
import { sortRows } from '../../core/process-order.js';
import { InspectorScanner, type OpenInspector } from '../../inspector/scan-inspectors.js';
import { ProcessSampler } from '../../proc/index.js';
import { ProcessTracker } from '../../state/index.js';
import { toProcessRecord, type ProcessRecord } from '../process-record.js';
import { inspectorLine, textHeader, textLayout, textRow } from '../process-text.js';
import { writeOut } from '../output.js';

/** CPU% needs two readings; this is the gap between them. /proc counts CPU in 10 ms ticks, so 0.5 s resolves 2 %. */
const CPU_WINDOW_MS = 500;

export interface ListOptions {
  json?: boolean;
}

/**
 * Samples the Node.js processes once (twice, for CPU%) and returns their records, biggest RSS first. The open
 * inspectors are looked for while the CPU window runs, so that search adds nothing to the wait when it is quick.
 */
export async function listProcesses(): Promise<ProcessRecord[]> {
  const sampler = new ProcessSampler();
  const tracker = new ProcessTracker();
  const first = sampler.sample();
  const inspectors = new InspectorScanner().scan(first.processes.filter((p) => p.inspectable));
  inspectors.catch(() => undefined); // awaited below; this only keeps a failure during the wait from being "unhandled"
  await sleep(CPU_WINDOW_MS);
  tracker.ingest(sampler.sample());
  sampler.close();
  const found = await inspectors;
  const processes = tracker.processes;
  return sortRows(
    processes.map((p) => {
      const inspector = found.get(p.sample.pid);
      // A PID seen in both readings is the same process only with the same start time.
      const same = inspector !== undefined && first.processes.some((q) => q.pid === p.sample.pid && q.startTimeTicks === p.sample.startTimeTicks);
      return toProcessRecord(p, { inspector: same ? inspector : null });
    }),
    'rss',
    true,
  );
}

export async function runList(options: ListOptions): Promise<void> {
  const records = await listProcesses();
  if (options.json) {
    await writeOut(`${JSON.stringify(records, null, 2)}\n`);
    return;
  }
  const layout = textLayout(records);
  await writeOut([textHeader(layout), ...records.flatMap((r) => (r.inspector ? [textRow(r, layout), inspectorLine(r)] : [textRow(r, layout)]))].join('\n') + '\n');
}

export type { OpenInspector };
