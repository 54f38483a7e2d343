import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { isUnavailable } from '../../src/proc/read-file.js';
import { parseNetTcp, readListeningSockets, TCP_LISTEN } from '../../src/proc/read-net-tcp.js';
import { tempDir } from '../helpers/temp-dir.js';

// Written after real /proc/PID/net/tcp and tcp6 of a little-endian host (x86-64): fixed-width rows padded with
// trailing spaces, TIME_WAIT rows (06) shorter and with inode 0.
const tcp = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     ',
  '   0: 0100007F:9755 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 129282 1 00000000a464c4fc 100 0 0 10 0                    ',
  '   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1660 1 0000000090353daa 100 0 0 10 0                      ',
  '   2: 0100007F:CE3E 0100007F:B41B 06 00000000:00000000 03:000014DD 00000000     0        0 0 3 00000000a726560e                                      ',
  '   3: 0500007F:97B1 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 147837 1 00000000580f175b 20 4 30 10 -1               ',
  '   4: 0100007F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0',
  '   5: 0100007G:9755 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0',
  '   6: 0100007F:9755 00000000:0000 0A',
  'garbage',
  '',
].join('\n');

const tcp6 = [
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 00000000000000000000000001000000:A8B1 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 129283 1 00000000b6655929 100 0 0 10 0',
  '   1: 00000000000000000000000000000000:86EB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 129284 1 00000000a41abceb 100 0 0 10 0',
  '   2: 0000000000000000FFFF00000100007F:9F17 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   998        0 147836 1 00000000c9787fea 100 0 0 10 0',
  '   3: B80D0120000000002E8A000034737003:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1 0000000000000000 100 0 0 10 0',
  '   4: 000080FE000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8 1 0000000000000000 100 0 0 10 0',
  '   5: B80D01200100000001000100010001000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9 1 0000000000000000 100 0 0 10 0',
  '   6: 00000000000000000000000001000000:AFC3 00000000000000000000000001000000:9814 06 00000000:00000000 03:0000152E 00000000     0        0 0 3 00000000fd9f924d',
  '',
].join('\n');

test('parses IPv4 rows into addresses, ports, states, uids and inodes; malformed rows are skipped', () => {
  assert.deepEqual(parseNetTcp(tcp), [
    { localAddress: '127.0.0.1', localPort: 38741, state: TCP_LISTEN, uid: 1000, inode: 129282 },
    { localAddress: '0.0.0.0', localPort: 2024, state: TCP_LISTEN, uid: 0, inode: 1660 },
    { localAddress: '127.0.0.1', localPort: 52798, state: 0x06, uid: 0, inode: 0 },
    { localAddress: '127.0.0.5', localPort: 38833, state: 0x01, uid: 1000, inode: 147837 },
  ]);
});

test('parses IPv6 rows: four little-endian words, compressed text, v4-mapped addresses keep ::ffff:', () => {
  assert.deepEqual(
    parseNetTcp(tcp6).map(({ localAddress, localPort, state, uid, inode }) => [localAddress, localPort, state, uid, inode]),
    [
      ['::1', 43185, TCP_LISTEN, 0, 129283],
      ['::', 34539, TCP_LISTEN, 0, 129284],
      ['::ffff:127.0.0.1', 40727, TCP_LISTEN, 998, 147836],
      ['2001:db8::8a2e:370:7334', 80, TCP_LISTEN, 0, 7],
      ['fe80::1', 22, TCP_LISTEN, 0, 8],
      ['::1', 44995, 0x06, 0, 0],
    ],
    'the row with a 33-digit address is skipped',
  );
});

test('IPv6 text follows RFC 5952: one zero group stays, the first of two equal runs becomes ::', () => {
  const row = (hex: string) => `   0: ${hex}:0001 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0`;
  const address = (hex: string) => parseNetTcp(row(hex))[0]?.localAddress;
  assert.equal(address('B80D0120010000000100010001000100'), '2001:db8:0:1:1:1:1:1');
  assert.equal(address('00000120010000000000000001000100'), '2001::1:0:0:1:1');
  assert.equal(address('B80D0120020001000400030006000500'), '2001:db8:1:2:3:4:5:6');
  assert.equal(address('00000000000000000000000000000000'), '::');
});

test('nothing parses from empty or header-only text', () => {
  assert.deepEqual(parseNetTcp(''), []);
  assert.deepEqual(parseNetTcp(tcp.split('\n')[0]!), []);
});

async function listen(host: string): Promise<Server> {
  const server = createServer().listen(0, host);
  await once(server, 'listening');
  return server;
}

test('reads our own listening sockets, IPv4 and IPv6, and only LISTEN ones', async (t) => {
  const v4 = await listen('127.0.0.1');
  t.after(() => v4.close());
  const v6 = await listen('::1').catch(() => null); // a host without IPv6 still runs the IPv4 half
  if (v6) t.after(() => v6.close());
  const sockets = readListeningSockets(process.pid);
  assert.ok(!isUnavailable(sockets));
  assert.ok(sockets.every((s) => s.state === TCP_LISTEN));
  const mine = sockets.find((s) => s.localPort === (v4.address() as AddressInfo).port && s.localAddress === '127.0.0.1');
  assert.ok(mine, JSON.stringify(sockets));
  assert.equal(mine.uid, process.getuid!());
  assert.ok(mine.inode > 0);
  if (v6) assert.ok(sockets.some((s) => s.localPort === (v6.address() as AddressInfo).port && s.localAddress === '::1'));
});

test('a PID that does not exist is gone', () => {
  const missing = readListeningSockets(2 ** 22 + 1);
  assert.ok(isUnavailable(missing) && missing.unavailable === 'gone');
});

/** Every LISTEN row of our namespace, from the whole of both tables (what readListeningSockets read before it stopped early). */
function listenersFromWholeTables(): number[] {
  const text = ['tcp', 'tcp6'].map((name) => readFileSync(`/proc/self/net/${name}`, 'latin1')).join('\n');
  return parseNetTcp(text).filter((s) => s.state === TCP_LISTEN).map((s) => s.inode).sort((a, b) => a - b);
}

test('reading only up to the first non-LISTEN row finds every listener: many of them, IPv4 and IPv6, with connections open', async (t) => {
  const servers: Server[] = [];
  const clients: Socket[] = [];
  t.after(() => {
    for (const client of clients) client.destroy();
    for (const server of servers) server.close();
  });
  const hosts = ['127.0.0.1', '::1'];
  for (let i = 0; i < 40; i++) {
    const server = await listen(hosts[i % 2]!).catch(() => null); // a host without IPv6 still runs the IPv4 half
    if (server) servers.push(server);
  }
  // Established rows in both tables: the read must stop at them, not before a listener.
  for (const server of servers.slice(0, 2)) {
    const { address, port } = server.address() as AddressInfo;
    const client = connect(port, address);
    clients.push(client);
    await once(client, 'connect');
  }
  const read = () => {
    const sockets = readListeningSockets('self');
    assert.ok(!isUnavailable(sockets));
    assert.ok(sockets.every((s) => s.state === TCP_LISTEN));
    return sockets.map((s) => s.inode).sort((a, b) => a - b);
  };
  const sockets = readListeningSockets('self');
  assert.ok(!isUnavailable(sockets));
  for (const server of servers) {
    const { address, port } = server.address() as AddressInfo;
    assert.ok(sockets.some((s) => s.localAddress === address && s.localPort === port), `${address}:${port} missing`);
  }
  // The same set as the whole tables give. Other processes of the host open and close listeners meanwhile, so this is
  // asked of one of a few reads in a row.
  let same = false;
  for (let i = 0; i < 10 && !same; i++) same = JSON.stringify(read()) === JSON.stringify(listenersFromWholeTables());
  assert.ok(same, 'the early-stopping read and the whole tables disagree');
});

test('tcp6 is read only when sockstat6 counts an IPv6 TCP socket in the namespace', (t) => {
  const root = tempDir('leaktop-net-tcp-test-');
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, '7/net'), { recursive: true });
  writeFileSync(join(root, '7/net/tcp'), tcp);
  writeFileSync(join(root, '7/net/tcp6'), tcp6);
  const ports = () => {
    const sockets = readListeningSockets(7, root);
    assert.ok(!isUnavailable(sockets));
    return sockets.map((s) => s.localPort);
  };
  // The fixture tables: two LISTEN rows, then a TIME_WAIT row that ends the read (tcp); five LISTEN rows (tcp6).
  writeFileSync(join(root, '7/net/sockstat6'), 'TCP6: inuse 0\nUDP6: inuse 3\n');
  assert.deepEqual(ports(), [38741, 2024]);
  writeFileSync(join(root, '7/net/sockstat6'), 'TCP6: inuse 2\nUDP6: inuse 0\n');
  assert.deepEqual(ports(), [38741, 2024, 43185, 34539, 40727, 80, 22]);
});
