/**
 * The relay itself, started with nsenter into our own network namespace (so a WebSocket server of the test is on
 * its loopback): messages both ways, loopback only, and its end — a closed pipe closes its WebSockets.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConnectFailedError } from '../../src/inspector/errors.js';
import { NamespaceRelay } from '../../src/inspector/namespace-relay.js';
import { namespacesUnavailable } from '../helpers/netns-target.js';
import { waitFor } from '../helpers/signal-log.js';

const ours = readlinkSync('/proc/self/ns/net');
const relays: NamespaceRelay[] = [];
function startRelay(expected = ours): { relay: NamespaceRelay; ended: Promise<void> } {
  let onEnd!: () => void;
  const ended = new Promise<void>((resolve) => (onEnd = resolve));
  const relay = new NamespaceRelay('/usr/bin/nsenter', `/proc/${process.pid}/ns/net`, expected, onEnd);
  relays.push(relay);
  return { relay, ended };
}

/** An echo WebSocket server and a /json/version document on 127.0.0.1. */
async function echoServer(): Promise<{ server: Server; port: number; sockets: WebSocket[] }> {
  const server = createServer((req, res) => res.end(req.url === '/json/version' ? '{"Browser":"node.js/v20.0.0"}' : '[]'));
  const sockets: WebSocket[] = [];
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => socket.send(`echo ${data.toString()}`));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

after(() => {
  for (const relay of relays) relay.close();
});

describe('the network-namespace relay', { skip: namespacesUnavailable() ?? false }, () => {
  it('GETs and a WebSocket on loopback, both ways; refuses any other address', async (t) => {
    const { server, port, sockets } = await echoServer();
    t.after(() => {
      server.closeAllConnections();
      server.close();
    });
    const { relay, ended } = startRelay();
    const signal = new AbortController().signal;
    assert.deepEqual(await relay.getJson('127.0.0.1', port, '/json/version', signal), { Browser: 'node.js/v20.0.0' });
    assert.equal(await relay.getJson('10.1.2.3', port, '/json/version', signal), undefined, 'not loopback: not asked');

    const transport = await relay.connect(`ws://127.0.0.1:${port}/x`, 3000);
    const replies: string[] = [];
    transport.onmessage = (m) => replies.push(m);
    const text = `{"é":"✓","big":"${'y'.repeat(200_000)}"}`;
    transport.send(text);
    await waitFor(() => replies.length === 1, 'the echo');
    assert.equal(replies[0], `echo ${text}`);

    await assert.rejects(relay.connect(`ws://10.1.2.3:${port}/x`, 3000), (e: unknown) => e instanceof ConnectFailedError && /not a loopback WebSocket URL/.test(e.message));
    await assert.rejects(relay.connect('http://127.0.0.1:1/x', 3000), ConnectFailedError);

    // Its stdin closes (leaktop exited or was killed): it closes the WebSocket and exits.
    const closed = new Promise<number>((resolve) => (transport.onclose = (code) => resolve(code)));
    const serverSaw = once(sockets[0]!, 'close');
    relay.close();
    await Promise.all([closed, serverSaw, ended]); // ended: the relay process exited
  });

  it('a relay that reports another namespace than meant is not used', async () => {
    const { relay, ended } = startRelay('net:[1]');
    await assert.rejects(relay.connect('ws://127.0.0.1:1/x', 3000), /entered net:\[\d+\], not net:\[1\]/);
    // An idle relay does not hold the event loop (leaktop must be free to exit): the test holds it until the end.
    const hold = setInterval(() => undefined, 1000);
    await ended;
    clearInterval(hold);
  });
});
