// The cost of drawing: one frame of the full-screen view, rendered by ink into an off-screen terminal, with a store
// holding N processes and one ingest per frame. Isolates drawing from /proc sampling; the ingest (the store's
// per-tick growth judgement) is timed alone over the same ticks and reported apart, so the frame's own cost shows.
// The named baseline is the same table lines drawn the plain ink way, one <Text> per line, which is what TextBlock
// replaces.
import './production-env.js';
import { PerformanceObserver } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import { Box, Text, render } from '../src/ui/ink.js';
import { createElement, type ReactElement } from 'react';
import { layoutColumns } from '../src/core/table-layout.js';
import { fakeSample } from '../test/helpers/process-sample.js';
import { MonitorStore } from '../src/state/index.js';
import { formatProcessRow, ProcessTable } from '../src/ui/components/process-table.js';
import { App, ThemeContext, createTheme } from '../src/ui/index.js';

const theme = createTheme({ color: true, ascii: false });

function fakeTty(columns: number, rows: number) {
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns, rows });
  stdout.resume();
  const stdin = Object.assign(new PassThrough(), { isTTY: false, setRawMode() {}, ref() {}, unref() {} });
  return { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream };
}

const sample = (pid: number, rssBytes: number) =>
  fakeSample(pid, rssBytes, { command: `/usr/bin/node /srv/app-${pid}/server.js --port ${8000 + pid}`, cpuPercent: pid % 7 });

/** A store with a minute of history for `processes` processes, and a function that adds one more tick. */
function filledStore(processes: number) {
  const store = new MonitorStore();
  const ingest = (i: number) =>
    store.ingestProcesses({
      sampledAtMs: i * 1000,
      processes: Array.from({ length: processes }, (_, p) => sample(p + 100, 50e6 + p * 1e6 + ((i * (p + 1) * 7919) % 5e6))),
    });
  for (let i = 0; i < 60; i++) ingest(i);
  return { store, ingest };
}

interface FrameFigures {
  /** CPU of one tick: the store's ingest and the frame it draws. */
  cpuMsPerFrame: number;
  /** CPU of the ingest alone, the same ticks into a store nothing draws: the store's share of `cpuMsPerFrame`. */
  ingestMsPerFrame: number;
  /** Young-generation collections per frame (ingest included): how much garbage a frame leaves. */
  scavengesPerFrame: number;
  /** Of which the ingest alone. */
  ingestScavengesPerFrame: number;
  /** Heap still used after the frames minus before them, both after a full GC (run with --expose-gc): what drawing keeps. */
  heapKeptBytes: number;
}

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const cpuMs = (since: NodeJS.CpuUsage) => {
  const cpu = process.cpuUsage(since);
  return (cpu.user + cpu.system) / 1000;
};

/** Counts V8's scavenges (minor GCs) until `stop` is called. */
function countScavenges(): { stop(): number } {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as { detail?: { kind?: number } }).detail?.kind === 1) count++;
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      observer.disconnect();
      return count;
    },
  };
}

/** The same ticks as `measure`, into a store that nothing draws: CPU ms and scavenges per tick. */
async function measureIngest(processes: number, frames: number): Promise<{ cpuMs: number; scavenges: number }> {
  const { ingest } = filledStore(processes);
  const scavenges = countScavenges();
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < frames; i++) ingest(60 + i);
  const cpu = cpuMs(cpuBefore) / frames;
  await new Promise((r) => setTimeout(r, 10));
  return { cpuMs: cpu, scavenges: scavenges.stop() / frames };
}

async function measure(element: (store: MonitorStore) => ReactElement, options: { processes: number; frames: number; columns: number; rows: number }): Promise<FrameFigures> {
  const { store, ingest } = filledStore(options.processes);
  const { stdout, stdin } = fakeTty(options.columns, options.rows);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const instance = render(createElement(ThemeContext.Provider, { value: theme }, element(store)), { stdout, stdin, patchConsole: false, exitOnCtrlC: false });
  await new Promise((r) => setTimeout(r, 100));
  const scavenges = countScavenges();
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < options.frames; i++) {
    ingest(60 + i);
    // ink draws at most 30 frames a second; wait one so that every ingest is drawn, as at a 1 s interval.
    await new Promise((r) => setTimeout(r, 40));
  }
  const cpuMsPerFrame = cpuMs(cpuBefore) / options.frames;
  // The observer reports asynchronously: let the last entries arrive.
  await new Promise((r) => setTimeout(r, 10));
  const scavengesPerFrame = scavenges.stop() / options.frames;
  instance.unmount();
  gc();
  const heapKeptBytes = process.memoryUsage().heapUsed - heapBefore;
  const ingestOnly = await measureIngest(options.processes, options.frames);
  return { cpuMsPerFrame, ingestMsPerFrame: ingestOnly.cpuMs, scavengesPerFrame, ingestScavengesPerFrame: ingestOnly.scavenges, heapKeptBytes };
}

/** The table as ink's plain <Text> lines: the baseline. */
function PlainTable({ store, columns, rows }: { store: MonitorStore; columns: number; rows: number }) {
  const state = useStoreState(store);
  const layout = layoutColumns(columns);
  return createElement(
    Box,
    { flexDirection: 'column' },
    ...state.processes.slice(0, rows).map((p, i) => createElement(Text, { key: p.key, wrap: 'truncate' }, formatProcessRow(p, layout, theme, i === 0))),
  );
}

/** The table as leaktop draws it. */
function OurTable({ store, columns, rows }: { store: MonitorStore; columns: number; rows: number }) {
  const state = useStoreState(store);
  return createElement(ProcessTable, {
    rows: state.processes,
    columns: layoutColumns(columns),
    selectedKey: state.processes[0]?.key ?? null,
    top: 0,
    height: rows - 1,
    sortColumn: 'rss',
    descending: true,
    width: columns,
  });
}

import { useSyncExternalStore } from 'react';
function useStoreState(store: MonitorStore) {
  return useSyncExternalStore(store.subscribe, store.getState);
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function main() {
  console.log('leaktop render benchmark: CPU per frame, 50 processes, one ingest per frame');
  // The TUI runs with two 1 MB semi-spaces (src/ui/young-generation.ts): run with --max-semi-space-size=1 for the
  // same young generation, where a scavenge is about 1 MB allocated.
  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
  ] as const) {
    const app = await measure((store) => createElement(App, { store }), { processes: 50, frames: 100, columns, rows });
    console.log(
      `  whole screen ${columns}x${rows}: ${app.cpuMsPerFrame.toFixed(2)} ms CPU per tick = ingest ${app.ingestMsPerFrame.toFixed(2)} ms ` +
        `+ frame ${(app.cpuMsPerFrame - app.ingestMsPerFrame).toFixed(2)} ms; ` +
        `${app.scavengesPerFrame.toFixed(2)} scavenges per tick, ${app.ingestScavengesPerFrame.toFixed(2)} of them the ingest's`,
    );
  }
  // Table only, ours against the baseline, over more frames so that what the baseline keeps shows.
  const frames = 600;
  const opts = { processes: 50, frames, columns: 120, rows: 40 };
  const base = await measure((store) => createElement(PlainTable, { store, columns: 120, rows: 39 }), opts);
  const ours = await measure((store) => createElement(OurTable, { store, columns: 120, rows: 40 }), opts);
  console.log(`  table 120x40 over ${frames} frames:`);
  console.log(`    baseline, one ink <Text> per line: ${base.cpuMsPerFrame.toFixed(2)} ms per frame, heap kept: ${mb(base.heapKeptBytes)}`);
  console.log(`    leaktop, TextBlock:                ${ours.cpuMsPerFrame.toFixed(2)} ms per frame, heap kept: ${mb(ours.heapKeptBytes)}`);
  console.log(`  → ${(base.cpuMsPerFrame / ours.cpuMsPerFrame).toFixed(2)}× less CPU per frame than the baseline`);
}

await main();
