import { spawnOwned } from './owned.js';

/**
 * Runs `node NODE_ARGS…` (this Node, or the binary `node`) as a child owned by PID (ended on a signal or an error of the bench, see owned.ts) and
 * resolves with its last stdout line parsed as JSON — the benches' way of measuring in a fresh process, whose peak
 * RSS is then the measured work's alone. Rejects with the end of its stderr if it fails or prints nothing.
 */
export function runJsonChild<T>(nodeArgs: string[], label: string, env: NodeJS.ProcessEnv = process.env, node = process.execPath): Promise<T> {
  return new Promise((resolve, reject) => {
    const { child } = spawnOwned(node, nodeArgs, label, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || last === '') {
        reject(new Error(`${label} ended with code ${code}, signal ${signal}: ${stderr.trim().split('\n').slice(-5).join('\n')}`));
        return;
      }
      resolve(JSON.parse(last) as T);
    });
  });
}
