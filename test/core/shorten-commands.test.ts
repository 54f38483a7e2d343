import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distinctTails, sharedScriptPrefix, shortenCommands } from '../../src/core/shorten-commands.js';

const row = (...argv: string[]) => ({ argv, command: argv.join(' ') });
const widths = [12, 17, 21, 30, 40, 60, 120];

/** The demo's two apps as the sampler lists them (demo/run.js starts both with process.execPath). */
const demo = [row('/usr/local/bin/node', '/home/dev/src/leaktop/demo/leaky-server/index.js'), row('/usr/local/bin/node', '/home/dev/src/leaktop/demo/steady-worker/index.js')];

test('the demo: told apart at every width the 80-column table gives the command, and whole when there is room', () => {
  for (const width of widths) {
    const [leaky, steady] = shortenCommands(demo, width);
    assert.notEqual(leaky, steady, `width ${width}`);
    assert.match(leaky!, /leaky/, `width ${width}: ${leaky}`);
    assert.match(steady!, /steady/, `width ${width}: ${steady}`);
    for (const line of [leaky!, steady!]) assert.ok(line.length <= width, `${line} fits ${width}`);
  }
  assert.deepEqual(shortenCommands(demo, 120), ['node /home/dev/src/leaktop/demo/leaky-server/index.js', 'node /home/dev/src/leaktop/demo/steady-worker/index.js']);
  assert.deepEqual(shortenCommands(demo, 30), ['node leaky-server/index.js', 'node steady-worker/index.js']);
  assert.deepEqual(shortenCommands(demo, 21), ['node leaky-server', 'node steady-worker']);
  assert.deepEqual(shortenCommands(demo, 17), ['leaky-server', 'steady-worker']);
});

test('services of one checkout keep the directory that names them, not a cut through the middle', () => {
  const rows = [
    row('/usr/bin/node', '/srv/shop/services/orders/dist/index.js'),
    row('/usr/bin/node', '/srv/shop/services/billing/dist/index.js'),
    row('/usr/bin/node', '/srv/shop/services/search/dist/index.js'),
  ];
  assert.deepEqual(shortenCommands(rows, 26), ['node orders/dist/index.js', 'node billing/dist/index.js', 'node search/dist/index.js']);
  assert.deepEqual(shortenCommands(rows, 16), ['orders/dist', 'billing/dist', 'search/dist']);
});

test('one lone script keeps its directory and file; node options go before the script does', () => {
  const rows = [row('/opt/node20/bin/node', '--max-old-space-size=4096', '-r', 'dotenv/config', '/srv/api/releases/2024-06-01/dist/server.js', '--port', '8080')];
  assert.deepEqual(shortenCommands(rows, 200), ['node --max-old-space-size=4096 -r dotenv/config /srv/api/releases/2024-06-01/dist/server.js --port 8080']);
  assert.deepEqual(shortenCommands(rows, 75), ['node --max-old-space-size=4096 -r dotenv/config dist/server.js --port 8080']);
  assert.deepEqual(shortenCommands(rows, 31), ['node dist/server.js --port 8080']);
  assert.deepEqual(shortenCommands(rows, 20), ['dist/server.js --po~']);
});

test('a process.title, npm, tools from node_modules and node -e keep their names', () => {
  const rows = [
    row('orders-api'),
    row('node /srv/app/current/server.js'), // pm2's title: one argument with spaces
    row('npm start'),
    row('/usr/bin/node', '/app/node_modules/.bin/next', 'start'),
    row('/usr/bin/node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'run', 'worker'),
    row('/usr/bin/node', '-e', 'setInterval(() => {}, 1000)'),
  ];
  assert.deepEqual(shortenCommands(rows, 29), ['orders-api', 'current/server.js', 'npm start', 'next start', 'npm/bin/npm-cli.js run worker', 'node -e setInterval(() => {}~']);
});

test('the same script twice: their arguments tell them apart, cut in the middle when the end is what differs', () => {
  const rows = [row('/usr/bin/node', '/srv/app/server.js', '--port', '3000'), row('/usr/bin/node', '/srv/app/server.js', '--port', '3001')];
  assert.deepEqual(shortenCommands(rows, 20), ['app/server~port 3000', 'app/server~port 3001']);
  assert.deepEqual(shortenCommands(rows, 30), ['node app/server.js --port 3000', 'node app/server.js --port 3001']);
});

test('no argv: the fallback line, sanitized; control characters never reach the terminal; no row, no work', () => {
  assert.deepEqual(shortenCommands([{ argv: [], command: '[node]' }], 20), ['[node]']);
  assert.deepEqual(shortenCommands([row('/usr/bin/node', '/tmp/evil\x1b[2J.js')], 40), ['node /tmp/evil?[2J.js']);
  assert.deepEqual(shortenCommands([], 20), []);
  assert.deepEqual(shortenCommands(demo, 0), ['', '']);
});

test('the shared prefix stops above each script directory; tails grow until they differ', () => {
  assert.equal(sharedScriptPrefix(['/a/b/c/x.js', '/a/b/d/y.js']), '/a/b/');
  assert.equal(sharedScriptPrefix(['/a/b/c/x.js', '/a/b/c/y.js']), '/a/b/');
  assert.equal(sharedScriptPrefix(['/a/x.js', '/b/y.js']), '');
  assert.equal(sharedScriptPrefix(['/a/b/c/x.js']), '');
  assert.equal(sharedScriptPrefix(['rel/x.js', 'rel/y.js']), '');
  assert.deepEqual(
    [...distinctTails(['/s/orders/dist/index.js', '/s/billing/dist/index.js', '/x/y.js', 'server.js']).values()],
    ['orders/dist/index.js', 'billing/dist/index.js', '/x/y.js', 'server.js'],
  );
});

test('one row too long even shortened does not strip the others; it shows its script first', () => {
  const rows = [row('/usr/bin/node', '--require', '/srv/a/tracing.js', '--max-old-space-size=8192', '/srv/api/dist/server.js', '--config', '{"very":"long json"}'), row('/usr/bin/node', '/srv/web/worker.js')];
  assert.deepEqual(shortenCommands(rows, 24), ['dist/server.js --config~', 'node /srv/web/worker.js']);
});
