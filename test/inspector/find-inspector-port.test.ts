import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { findInspectorPort, isLoopback, listeningPorts, probeInspector } from '../../src/inspector/find-inspector-port.js';
import { isUnavailable } from '../../src/proc/read-file.js';
import { fixture, killAllTargets, startTarget, type Target } from '../helpers/targets.js';

after(killAllTargets);

/** What test/fixtures/targets/http-server.cjs says about itself on its `ready` line. */
interface ServerFacts {
  httpPort: number;
  inspectorUrl: string | null;
}

/** Starts the HTTP server fixture (with extra node flags before it) and reads the facts on its `ready` line. */
async function startHttpServer(nodeArgs: string[] = [], command: string[] = [process.execPath]): Promise<{ target: Target; facts: ServerFacts }> {
  const [program, ...prefix] = command as [string, ...string[]];
  const target = await startTarget(program, [...prefix, ...nodeArgs, fixture('http-server.cjs')], { ready: false });
  let out = '';
  for await (const chunk of target.child.stdout!) {
    out += String(chunk);
    const line = /^ready (.*)$/m.exec(out);
    if (line) return { target, facts: JSON.parse(line[1]!) as ServerFacts };
  }
  throw new Error(`http-server.cjs ended before it was ready: ${out}`);
}

const portOf = (url: string) => Number(new URL(url).port);

test('listeningPorts has both the HTTP port and the inspector port of a --inspect=127.0.0.1:0 child', async () => {
  const { target, facts } = await startHttpServer(['--inspect=127.0.0.1:0']);
  assert.ok(facts.inspectorUrl, 'the fixture runs with an inspector');
  const ports = listeningPorts(target.pid);
  assert.ok(!isUnavailable(ports));
  assert.deepEqual(ports, [facts.httpPort, portOf(facts.inspectorUrl)].sort((a, b) => a - b));
});

test('findInspectorPort picks the inspector, not the HTTP server', async () => {
  const { target, facts } = await startHttpServer(['--inspect=127.0.0.1:0']);
  const found = await findInspectorPort(target.pid);
  assert.ok(found);
  assert.equal(found.port, portOf(facts.inspectorUrl!));
  assert.equal(found.nodeVersion, process.version, 'the child runs our node binary');
  assert.ok(found.webSocketDebuggerUrl.startsWith(`ws://127.0.0.1:${found.port}/`), found.webSocketDebuggerUrl);
  assert.equal(found.webSocketDebuggerUrl, facts.inspectorUrl, 'the same URL the inspector reports inside the process');
});

test('the HTTP port of that server is not an inspector', async () => {
  const { facts } = await startHttpServer(['--inspect=127.0.0.1:0']);
  assert.equal(await probeInspector(facts.httpPort), null);
  assert.ok(await probeInspector(portOf(facts.inspectorUrl!)));
});

test('a child without an inspector has no inspector port, but its HTTP port is listed', async () => {
  const { target, facts } = await startHttpServer();
  assert.equal(facts.inspectorUrl, null);
  assert.deepEqual(listeningPorts(target.pid), [facts.httpPort]);
  assert.equal(await findInspectorPort(target.pid), null);
});

test("another process's sockets are not ours, although net/tcp lists them", async () => {
  const { facts } = await startHttpServer(['--inspect=127.0.0.1:0']);
  const ours = listeningPorts(process.pid);
  assert.ok(!isUnavailable(ours));
  assert.ok(!ours.includes(facts.httpPort) && !ours.includes(portOf(facts.inspectorUrl!)));
  const namespace = listeningPorts('self', { anyOwner: true });
  assert.ok(!isUnavailable(namespace));
  assert.ok(namespace.includes(facts.httpPort) && namespace.includes(portOf(facts.inspectorUrl!)), 'without the fd match: the whole namespace');
});

const hasIpv6Loopback = await new Promise<boolean>((resolve) => {
  const probe = createTcpServer().once('error', () => resolve(false));
  probe.listen(0, '::1', () => probe.close(() => resolve(true)));
});

test('an inspector on [::1] is probed at ::1, not at 127.0.0.1', { skip: !hasIpv6Loopback && 'no ::1 here' }, async () => {
  const { target, facts } = await startHttpServer(['--inspect=[::1]:0']);
  const found = await findInspectorPort(target.pid);
  assert.ok(found);
  assert.equal(found.port, portOf(facts.inspectorUrl!));
  assert.ok(found.webSocketDebuggerUrl.startsWith(`ws://[::1]:${found.port}/`), found.webSocketDebuggerUrl);
});

test('a wildcard-bound inspector is left out: leaktop only talks to loopback listeners', async () => {
  const { target, facts } = await startHttpServer(['--inspect=0.0.0.0:0']);
  assert.ok(facts.inspectorUrl);
  assert.deepEqual(listeningPorts(target.pid), [facts.httpPort]);
});

const canUnshare = spawnSync('unshare', ['--net', 'true']).status === 0;

test('an inspector in another network namespace is probed from inside it (as root, through the relay)', { skip: !canUnshare && 'unshare --net is not permitted here' }, async () => {
  // Its loopback is its own: lo has to be brought up inside, and 127.0.0.1:PORT from here is not it.
  const inside = ['unshare', '--net', 'sh', '-c', `ip link set lo up && exec "$0" "$@"`, process.execPath];
  const { target, facts } = await startHttpServer(['--inspect=127.0.0.1:0'], inside);
  assert.ok(facts.inspectorUrl);
  const ports = listeningPorts(target.pid);
  assert.ok(!isUnavailable(ports) && ports.includes(portOf(facts.inspectorUrl)), 'the port exists, in its namespace');
  const found = await findInspectorPort(target.pid);
  // The same UUID as the target printed: its own inspector, not whatever our 127.0.0.1 has on that port.
  assert.equal(found?.webSocketDebuggerUrl, facts.inspectorUrl);
  assert.equal(found?.port, portOf(facts.inspectorUrl));
});

test('gone PIDs have no ports and no inspector', async () => {
  const missing = listeningPorts(2 ** 22 + 1);
  assert.ok(isUnavailable(missing) && missing.unavailable === 'gone');
  assert.equal(await findInspectorPort(2 ** 22 + 1), null);
});

async function serve(handler: Parameters<typeof createHttpServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createHttpServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

test('probeInspector says null to everything that is not a Node inspector', async (t) => {
  const chrome = await serve((req, res) => res.end(req.url === '/json/version' ? '{"Browser":"Chrome/120.0.0.0"}' : '[]'));
  const html = await serve((_req, res) => res.end('<html>hello</html>'));
  const missing = await serve((_req, res) => res.writeHead(404).end('{"Browser":"node.js/v20.0.0"}'));
  const noTargets = await serve((req, res) => res.end(req.url === '/json/version' ? '{"Browser":"node.js/v20.0.0"}' : '[]'));
  const silent = await serve(() => {}); // accepts, never answers
  const servers = [chrome, html, missing, noTargets, silent];
  t.after(() => {
    for (const { server } of servers) {
      server.closeAllConnections();
      server.close();
    }
  });
  for (const { port } of servers.slice(0, 4)) assert.equal(await probeInspector(port), null, String(port));
  const started = Date.now();
  assert.equal(await probeInspector(silent.port, 200), null);
  assert.ok(Date.now() - started < 1000, 'gave up at the timeout');
  const closed = await serve(() => {});
  await new Promise((resolve) => closed.server.close(resolve));
  assert.equal(await probeInspector(closed.port), null, 'connection refused');
});

test('probeInspector accepts a server that answers like a Node inspector', async (t) => {
  const fake = await serve((req, res) =>
    res.end(req.url === '/json/version' ? '{"Browser":"node.js/v22.1.0","Protocol-Version":"1.1"}' : '[{"type":"node","webSocketDebuggerUrl":"ws://127.0.0.1:1/x"}]'),
  );
  t.after(() => fake.server.close());
  // Only the path of the advertised URL counts: the address is where we asked (issue 14).
  assert.deepEqual(await probeInspector(fake.port), { nodeVersion: 'v22.1.0', webSocketDebuggerUrl: `ws://127.0.0.1:${fake.port}/x` });
});

test('probeInspector never takes the host or port of the advertised URL, and refuses a path that is not one plain segment', async (t) => {
  let advertised = '';
  const fake = await serve((req, res) =>
    res.end(req.url === '/json/version' ? '{"Browser":"node.js/v22.1.0"}' : JSON.stringify([{ type: 'node', webSocketDebuggerUrl: advertised }])),
  );
  t.after(() => fake.server.close());
  advertised = 'ws://127.0.0.2:4444/0f7a3c1e-5b2d-4c8e-9a61-2d3b4c5d6e7f';
  assert.equal((await probeInspector(fake.port))?.webSocketDebuggerUrl, `ws://127.0.0.1:${fake.port}/0f7a3c1e-5b2d-4c8e-9a61-2d3b4c5d6e7f`);
  for (const bad of ['ws://127.0.0.1:1/a/b', 'ws://127.0.0.1:1/x?y=1', 'ws://u:p@127.0.0.1:1/x', 'wss://127.0.0.1:1/x', 'http://127.0.0.1:1/x', 'ws://127.0.0.1:1/', 'ws://127.0.0.1:1/%2e%2e', 'not a url']) {
    advertised = bad;
    assert.equal(await probeInspector(fake.port), null, bad);
  }
});

test('isLoopback: 127.0.0.0/8, ::1 and v4-mapped 127.x only', () => {
  for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(address), address);
  for (const address of ['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', 'fe80::1', '::2', '1127.0.0.1']) assert.ok(!isLoopback(address), address);
});
