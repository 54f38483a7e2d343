import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exposedInspectorFlags, hostOfHostPort, inspectorFlags, isLoopbackHost, splitNodeOptions } from '../../src/core/inspector-flags.js';

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

test('hostOfHostPort reads [host:]port as Node does: a bare port keeps the host, [v6] alone is a host', () => {
  const cases: Array<[string, string | null]> = [
    ['9229', null],
    ['', null],
    [':9229', null],
    ['0.0.0.0', '0.0.0.0'],
    ['0.0.0.0:9339', '0.0.0.0'],
    ['127.0.0.1:0', '127.0.0.1'],
    ['[::]', '::'],
    ['[::]:9229', '::'],
    ['[::1]:9229', '::1'],
    ['localhost:9229', 'localhost'],
    ['example.com', 'example.com'],
    ['::', ':'], // unbracketed v6 splits at the last colon, as in Node: host ':' (not loopback, so refused)
  ];
  for (const [value, host] of cases) assert.equal(hostOfHostPort(value), host, value);
});

test('isLoopbackHost: 127/8, ::1 (any spelling), v4-mapped 127.x and localhost; nothing else', () => {
  for (const host of ['127.0.0.1', '127.9.9.9', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) assert.ok(isLoopbackHost(host), host);
  for (const host of ['0.0.0.0', '::', ':', '10.1.2.3', 'example.com', '127.0.0.1.example.com', '::2', '1127.0.0.1', '']) assert.ok(!isLoopbackHost(host), host);
});

test('exposedInspectorFlags finds every flag form that sets a non-loopback host', () => {
  const exposed = (args: string[]) => exposedInspectorFlags(args, 'command line').map((f) => [f.flag, f.host]);
  assert.deepEqual(exposed(['--inspect-port=0.0.0.0:9339', 'app.js']), [['--inspect-port=0.0.0.0:9339', '0.0.0.0']]);
  assert.deepEqual(exposed(['--inspect-port', '0.0.0.0:9339', 'app.js']), [['--inspect-port 0.0.0.0:9339', '0.0.0.0']]);
  assert.deepEqual(exposed(['--debug-port=[::]', 'app.js']), [['--debug-port=[::]', '::']]);
  assert.deepEqual(exposed(['--inspect=0.0.0.0']), [['--inspect=0.0.0.0', '0.0.0.0']]);
  assert.deepEqual(exposed(['--inspect-brk=[::]:9229']), [['--inspect-brk=[::]:9229', '::']]);
  assert.deepEqual(exposed(['--inspect-wait=10.0.0.5:1']), [['--inspect-wait=10.0.0.5:1', '10.0.0.5']]);
  assert.deepEqual(exposed(['--inspect_port=0.0.0.0']), [['--inspect_port=0.0.0.0', '0.0.0.0']], 'underscores, as Node accepts them');
  assert.deepEqual(exposed(['app.js', '--inspect=0.0.0.0']), [['--inspect=0.0.0.0', '0.0.0.0']], 'after the script too: the cheap mistake');
  // A later loopback flag does not clear an earlier exposed one.
  assert.equal(exposed(['--inspect-port=0.0.0.0:1', '--inspect-port=127.0.0.1:1']).length, 1);
});

test('exposedInspectorFlags leaves loopback, bare ports and look-alikes alone', () => {
  for (const args of [
    ['--inspect', 'app.js'],
    ['--inspect=9229'],
    ['--inspect-port=9339'],
    ['--inspect-port', '9339'],
    ['--inspect=127.0.0.1:0'],
    ['--inspect=[::1]:9229'],
    ['--inspect=localhost:9229'],
    ['--inspect-publish-uid=http'],
    ['--inspector=0.0.0.0'],
    ['-e', '"--inspect=0.0.0.0"'],
    ['--inspect-port'], // a flag with its value missing: Node refuses to start
    ['app.js', '0.0.0.0:9229'],
  ]) {
    assert.deepEqual(exposedInspectorFlags(args, 'command line'), [], args.join(' '));
  }
});

test('splitNodeOptions splits like Node: spaces, double quotes, backslash escapes inside quotes', () => {
  assert.deepEqual(splitNodeOptions('--inspect-port=0.0.0.0:9339 --max-old-space-size=100'), ['--inspect-port=0.0.0.0:9339', '--max-old-space-size=100']);
  assert.deepEqual(splitNodeOptions('  --a   --b  '), ['--a', '--b']);
  assert.deepEqual(splitNodeOptions('--require "./my file.js" --x'), ['--require', './my file.js', '--x']);
  assert.deepEqual(splitNodeOptions('"--inspect-port=0.0.0.0"'), ['--inspect-port=0.0.0.0']);
  assert.deepEqual(splitNodeOptions('--title="a \\"b\\" c"'), ['--title=a "b" c']);
  assert.deepEqual(splitNodeOptions(''), []);
  assert.deepEqual(exposedInspectorFlags(splitNodeOptions('--inspect-port 0.0.0.0:9339'), 'NODE_OPTIONS').map((f) => f.source), ['NODE_OPTIONS']);
});
