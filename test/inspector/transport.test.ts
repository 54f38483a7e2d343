import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { test as nodeTest, type TestContext } from 'node:test';
import { WebSocketServer } from 'ws';
import { ConnectFailedError } from '../../src/inspector/errors.js';
import { connectWebSocket } from '../../src/inspector/transport.js';

/** Every test here has a deadline: the failures it guards against are hangs, which a test without one waits out. */
const test = (name: string, fn: (t: TestContext) => Promise<void>) => nodeTest(name, { timeout: 10_000 }, fn);

/** An HTTP server on loopback whose upgrade handler misbehaves as told; sockets are ended with the server. */
async function upgradeServer(onUpgrade: (socket: Socket) => void): Promise<{ server: Server; port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (_req, socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onUpgrade(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** A port nothing listens on: bound once, then closed. */
async function refusedPort(): Promise<number> {
  const probe = createTcpServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

test('a refused connect rejects with ConnectFailedError (ws 8 reports it as CLOSING: it used to hang)', async () => {
  const port = await refusedPort();
  await assert.rejects(connectWebSocket(`ws://127.0.0.1:${port}/x`), (error: unknown) => {
    assert.ok(error instanceof ConnectFailedError);
    assert.match(error.message, /ECONNREFUSED/);
    return true;
  });
});

test('an endpoint that drops the upgrade rejects at once', async (t) => {
  const fake = await upgradeServer((socket) => socket.destroy());
  t.after(fake.close);
  await assert.rejects(connectWebSocket(`ws://127.0.0.1:${fake.port}/x`, 10_000), ConnectFailedError);
});

test('an endpoint that never answers the upgrade rejects at the timeout', async (t) => {
  const fake = await upgradeServer(() => {});
  t.after(fake.close);
  await assert.rejects(connectWebSocket(`ws://127.0.0.1:${fake.port}/x`, 300), (error: unknown) => error instanceof ConnectFailedError);
});

test('an endpoint that answers the upgrade with garbage rejects', async (t) => {
  const fake = await upgradeServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
  t.after(fake.close);
  await assert.rejects(connectWebSocket(`ws://127.0.0.1:${fake.port}/x`, 10_000), ConnectFailedError);
});

test('closing a peer that never answers the close frame still ends the socket (ws alone waits 30 s)', async (t) => {
  // A real WebSocket server whose connections stop reading: the close handshake never completes.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  wss.on('connection', (socket) => (socket as unknown as { _socket: Socket })._socket.pause());
  t.after(() => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
  const transport = await connectWebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/x`);
  const closed = new Promise<number>((resolve) => (transport.onclose = (code) => resolve(code)));
  transport.close();
  // No timing asserted: without the grace period this await outlives the test runner's patience (30 s).
  assert.equal(typeof (await closed), 'number');
});

test('an open socket that then fails reports one close, never a rejection', async (t) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  t.after(() => wss.close());
  wss.on('connection', (socket) => socket.terminate());
  const transport = await connectWebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/x`);
  let closes = 0;
  await new Promise<void>((resolve) => (transport.onclose = () => (closes++, resolve())));
  assert.equal(closes, 1);
});
