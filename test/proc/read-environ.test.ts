import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { parseEnviron, readEnviron } from '../../src/proc/read-environ.js';
import { isUnavailable } from '../../src/proc/read-file.js';
import { killAllTargets, startTarget, fixture } from '../helpers/targets.js';

after(killAllTargets);

test('parseEnviron: NUL-separated NAME=value, values with = and spaces, the first definition wins', () => {
  const env = parseEnviron(Buffer.from('A=1\0NODE_OPTIONS=--inspect-port=0.0.0.0:9339 --x\0EMPTY=\0A=2\0no-equals\0=bad\0'));
  assert.equal(env.get('A'), '1');
  assert.equal(env.get('NODE_OPTIONS'), '--inspect-port=0.0.0.0:9339 --x');
  assert.equal(env.get('EMPTY'), '');
  assert.equal(env.has('no-equals'), false);
  assert.equal(env.size, 3);
  assert.equal(parseEnviron(new Uint8Array()).size, 0);
});

test('readEnviron reads the environment a real process started with; a gone PID is unavailable', async () => {
  const target = await startTarget(process.execPath, [fixture('idle.cjs')], { env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=100', LEAKTOP_MARK: 'x y' } });
  const env = readEnviron(target.pid);
  assert.ok(!isUnavailable(env));
  assert.equal(env.get('NODE_OPTIONS'), '--max-old-space-size=100');
  assert.equal(env.get('LEAKTOP_MARK'), 'x y');
  await target.kill();
  const gone = readEnviron(target.pid);
  assert.ok(isUnavailable(gone) && gone.unavailable === 'gone');
});
