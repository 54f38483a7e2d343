import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAtExit } from './exit-cleanup.js';

/** The repository root (tests run from dist/test/…). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixture = (name: string) => `${repoRoot}test/fixtures/targets/${name}`;
export const leaktopBin = `${repoRoot}bin/leaktop.js`;

/** A real process started for a test. */
export interface Target {
  pid: number;
  child: ChildProcess;
  /** Ends the process (SIGKILL, by PID) and waits for it. Safe to call twice. */
  kill(): Promise<void>;
}

const started = new Set<Target>();

/**
 * Starts a process and waits until it prints `ready` (or, with `ready: false`, until it is spawned). Every target is
 * remembered so that `killAllTargets` can end it even when a test fails half-way, and is killed by PID when the test
 * file is (SIGINT, SIGTERM) or exits without `killAllTargets`: fixtures like idle.cjs would run forever.
 */
export async function startTarget(command: string, args: string[], options: SpawnOptions & { ready?: boolean } = {}): Promise<Target> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const target: Target = {
    pid: child.pid!,
    child,
    async kill() {
      started.delete(target);
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        await exited;
      }
    },
  };
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  started.add(target);
  killAtExit(child);
  if (options.ready !== false) {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')}: no 'ready' within 10 s`)), 10_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${command} exited with ${code} before it was ready`));
      });
    });
  }
  return target;
}

/** Starts a Node fixture from test/fixtures/targets. */
export function startNodeTarget(name: string, extraArgs: string[] = []): Promise<Target> {
  return startTarget(process.execPath, [fixture(name), ...extraArgs]);
}

export async function killAllTargets(): Promise<void> {
  await Promise.all([...started].map((t) => t.kill()));
}

/** Whether a PID is alive (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs leaktop's real bin to completion and returns what it printed. */
export function runLeaktop(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; /** Called with all of stdout so far, each time more arrives. */ onStdout?: (stdout: string) => void } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [leaktopBin, ...args], { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    killAtExit(child, 'SIGTERM'); // a `watch` or `serve` would outlive a test file killed meanwhile
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      options.onStdout?.(stdout);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`leaktop ${args.join(' ')} did not finish within ${options.timeoutMs ?? 20_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
