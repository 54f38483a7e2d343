// Cost of one frame of the full-screen view: the App rendered by ink into an off-screen terminal of a given size,
// with a store holding N processes, one ingest per frame. Isolates rendering from /proc sampling.
import './production-env.js';
import { PassThrough } from 'node:stream';
import { render } from 'ink';
import { createElement } from 'react';
import type { ProcessSample } from '../src/proc/index.js';
import { MonitorStore } from '../src/state/index.js';
import { App, ThemeContext, createTheme } from '../src/ui/index.js';

function fakeTty(columns: number, rows: number) {
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns, rows });
  stdout.resume();
  const stdin = Object.assign(new PassThrough(), { isTTY: false, setRawMode() {}, ref() {}, unref() {} });
  return { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream };
}

function sample(pid: number, rssBytes: number): ProcessSample {
  return {
    pid,
    ppid: 1,
    uid: 0,
    user: 'root',
    state: 'S',
    startTimeTicks: pid,
    startTimeMs: 0,
    argv: ['/usr/bin/node', `/srv/app-${pid}/server.js`, '--port', String(8000 + pid)],
    command: `/usr/bin/node /srv/app-${pid}/server.js --port ${8000 + pid}`,
    exePath: '/usr/bin/node',
    inspectable: true,
    cpuPercent: pid % 7,
    rssBytes,
    threads: 7,
  };
}

export async function measureFrames(options: { processes: number; frames: number; columns: number; rows: number; ascii: boolean }) {
  const store = new MonitorStore();
  const ingest = (i: number) =>
    store.ingestProcesses({
      sampledAtMs: i * 1000,
      processes: Array.from({ length: options.processes }, (_, p) => sample(p + 100, 50e6 + p * 1e6 + ((i * (p + 1) * 7919) % 5e6))),
    });
  for (let i = 0; i < 60; i++) ingest(i); // a minute of history, as a user would have
  const { stdout, stdin } = fakeTty(options.columns, options.rows);
  const instance = render(createElement(ThemeContext.Provider, { value: createTheme({ color: true, ascii: options.ascii }) }, createElement(App, { store })), {
    stdout,
    stdin,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  await new Promise((r) => setTimeout(r, 100));
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < options.frames; i++) {
    ingest(60 + i);
    // ink throttles to 30 fps; wait a frame so each ingest is drawn, as at a 1 s interval.
    await new Promise((r) => setTimeout(r, 40));
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpuBefore);
  instance.unmount();
  return { cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / options.frames, wallMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
    [200, 60],
  ] as const) {
    const { cpuMsPerFrame } = await measureFrames({ processes: 50, frames: 60, columns, rows, ascii: false });
    console.log(`${columns}x${rows}, 50 processes: ${cpuMsPerFrame.toFixed(2)} ms CPU per frame`);
  }
}
