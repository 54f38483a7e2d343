import { readFileSync } from 'node:fs';
import { fixture, type Target } from './targets.js';

/**
 * Asks a target that loads test/fixtures/targets/sampling-probe.cjs (alloc-sites.cjs, version-leak) whether V8's
 * sampling heap profiler runs in it: SIGUSR2 makes it ask itself through an in-process inspector session and print
 * `sampling active|inactive`. This sees the sampler
 * whoever started it, and works after leaktop has closed the inspector port it opened. The default wait is long: on a
 * busy machine the target may be slow to answer, and the answer, not its speed, is what the tests ask.
 */
export function askSampling(target: Target, timeoutMs = 30_000): Promise<'active' | 'inactive'> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /sampling (active|inactive)/.exec(out);
      if (match) {
        clearTimeout(timer);
        target.child.stdout!.off('data', onData);
        resolve(match[1] as 'active' | 'inactive');
      }
    };
    const timer = setTimeout(() => {
      target.child.stdout!.off('data', onData);
      reject(new Error(`no answer to SIGUSR2 from ${target.pid} within ${timeoutMs} ms`));
    }, timeoutMs);
    target.child.stdout!.on('data', onData);
    process.kill(target.pid, 'SIGUSR2');
  });
}

/** The 1-based line where `function NAME(` starts in a fixture target: what the profiler reports as the site. */
export function functionLine(fixtureName: string, functionName: string): number {
  const lines = readFileSync(fixture(fixtureName), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(`function ${functionName}(`));
  if (index < 0) throw new Error(`no function ${functionName} in ${fixtureName}`);
  return index + 1;
}
