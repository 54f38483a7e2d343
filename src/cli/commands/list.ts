import { setTimeout as sleep } from 'node:timers/promises';
import { sortRows } from '../../core/process-order.js';
import { findInspectorPort } from '../../inspector/find-inspector-port.js';
import { ProcessSampler } from '../../proc/index.js';
import { MonitorStore } from '../../state/index.js';
import { toProcessRecord, type ProcessRecord } from '../process-record.js';
import { textHeader, textRow } from '../process-text.js';
import { writeOut } from '../output.js';

/** CPU% needs two readings; this is the gap between them. /proc counts CPU in 10 ms ticks, so 0.5 s resolves 2 %. */
const CPU_WINDOW_MS = 500;

export interface ListOptions {
  json?: boolean;
}

/** Samples the Node.js processes once (twice, for CPU%) and returns their records, biggest RSS first. */
export async function listProcesses(): Promise<ProcessRecord[]> {
  const sampler = new ProcessSampler();
  const store = new MonitorStore();
  sampler.sample();
  await sleep(CPU_WINDOW_MS);
  store.ingestProcesses(sampler.sample());
  sampler.close();
  const processes = store.getState().processes;
  // Inspectors already listening: found through /proc and confirmed over HTTP on loopback, all at once.
  const ports = await Promise.all(processes.map((p) => (p.sample.inspectable ? findInspectorPort(p.sample.pid).then((e) => e?.port ?? null) : null)));
  return sortRows(
    processes.map((p, i) => toProcessRecord(p, { inspectorPort: ports[i] })),
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
  await writeOut([textHeader(), ...records.map(textRow)].join('\n') + '\n');
}
