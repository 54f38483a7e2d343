import { fixture, startTarget, type Target } from './targets.js';

/** A trim-target.cjs process holding `megabytes` of small objects, answering `ping` on stdin. */
export function startTrimTarget(megabytes: number): Promise<Target> {
  return startTarget(process.execPath, [fixture('trim-target.cjs'), String(megabytes)], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Sends `ping` and waits for the target's `pong`: it still runs JavaScript. */
export function ping(target: Target): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no pong from ${target.pid} in 10 s`)), 10_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = /(pong \d+(?: \d+)?)\n/.exec(out);
      if (!line) return;
      clearTimeout(timer);
      target.child.stdout!.off('data', onData);
      resolve(line[1]!);
    };
    target.child.stdout!.on('data', onData);
    target.child.stdin!.write('ping\n');
  });
}
