import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspectorFlags, splitNodeOptions } from '../../src/core/inspector-flags.js';

test('no inspector flag: null, also when a script argument merely looks similar', () => {
  assert.equal(inspectorFlags(['node', 'app.js'], null), null);
  assert.equal(inspectorFlags(['node', 'app.js', '--inspector'], ''), null);
  assert.equal(inspectorFlags(['node', '--inspect-publish-uid=http', 'app.js'], null), null);
});

test('each flag form gives the port Node would take', () => {
  const port = (argv: string[]) => inspectorFlags(['node', ...argv, 'app.js'], null)?.port;
  assert.equal(port(['--inspect']), 9229);
  assert.equal(port(['--inspect-brk']), 9229);
  assert.equal(port(['--inspect-wait=9339']), 9339);
  assert.equal(port(['--inspect=127.0.0.1:9339']), 9339);
  assert.equal(port(['--inspect-port=0.0.0.0:9339']), 9339);
  assert.equal(port(['--inspect=[::1]:9340']), 9340);
  assert.equal(port(['--debug-port=9341']), 9341);
  assert.equal(port(['--inspect=localhost']), 9229, 'a bare host keeps the default port');
  assert.equal(port(['--inspect=127.0.0.1:0']), null, 'a random port');
  assert.equal(port(['--inspect=127.0.0.1:99999']), null, 'out of range');
  assert.equal(port(['--inspect-port=9339', '--inspect']), 9339, 'a plain --inspect keeps the port named before');
  assert.equal(port(['--inspect=9339', '--inspect-port=9400']), 9400, 'the last port wins');
});

test('NODE_OPTIONS counts, quoted or not', () => {
  assert.deepEqual(splitNodeOptions(' --max-old-space-size=100  "--inspect=127.0.0.1:9400" -r x'), ['--max-old-space-size=100', '--inspect=127.0.0.1:9400', '-r', 'x']);
  assert.equal(inspectorFlags(['node', 'app.js'], '--inspect-port=9400')?.port, 9400);
  assert.equal(inspectorFlags(['node', '--inspect=9500', 'app.js'], '--inspect-port=9400')?.port, 9500, 'the command line comes after NODE_OPTIONS');
});
