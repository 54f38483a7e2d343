import { spawn, type ChildProcess } from 'node:child_process';
import { disown, killPid, own } from './owned.js';

/** A real, idle Node.js process for the sampler to find. */
export interface IdleNode {
  pid: number;
  /** Extra memory it holds on purpose, so the RSS column is not 50 identical values. */
  allocatedBytes: number;
  child: ChildProcess;
}

/**
 * The child: keep a filled buffer (Buffer.alloc with a fill value touches every page, so it really counts in RSS),
 * tick once a second like any idle server, and say "ready" once the event loop runs.
 */
const IDLE_SCRIPT =
  'const keep = Buffer.alloc(Number(process.argv[1]), 1); setInterval(() => { keep[0] ^= 1; }, 1000); process.stdout.write("ready\\n");';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 3_000;

/** 128 KiB more per index: 0 to ~12 MiB extra for 100 processes. */
function allocationFor(index: number): number {
  return index * 128 * 1024;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`idle node ${child.pid} not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`idle node ${child.pid} exited before ready (code ${code}, signal ${signal})`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => killPid(pid), STOP_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
  disown(pid);
}

/**
 * Starts `count` idle Node processes (indexes `firstIndex`…) and resolves when every one has printed "ready":
 * only then is each guaranteed to be a running `node` with its final argv, as the sampler would see it in real life.
 */
export async function spawnIdleNodes(count: number, firstIndex = 0): Promise<IdleNode[]> {
  const nodes: IdleNode[] = [];
  const readies: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const allocatedBytes = allocationFor(firstIndex + i);
    const child = spawn(process.execPath, ['-e', IDLE_SCRIPT, String(allocatedBytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
    // Listening at once also handles a spawn 'error' event, which would otherwise crash the bench before cleanup.
    const ready = waitForReady(child);
    ready.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
    readies.push(ready);
    if (child.pid === undefined) throw new Error('could not spawn an idle node');
    const pid = child.pid;
    // Owned before it is ready, so a failure further on still ends it.
    own(pid, { label: 'idle node', stop: () => stopChild(child), killNow: () => killPid(pid) });
    nodes.push({ pid, allocatedBytes, child });
  }
  await Promise.all(readies);
  // The "ready" line was the only output; drop the pipe so it holds no handle.
  for (const node of nodes) node.child.stdout?.destroy();
  return nodes;
}
