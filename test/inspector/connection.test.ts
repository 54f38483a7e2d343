import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { CdpConnection } from '../../src/inspector/connection.js';
import { ConnectionClosedError, ProtocolError, RequestTimeoutError } from '../../src/inspector/errors.js';
import type { Transport } from '../../src/inspector/transport.js';

/** A transport we drive by hand: what was sent, and hooks to answer or close. */
function fakeTransport() {
  const sent: Array<{ id: number; method: string; params: unknown }> = [];
  const transport: Transport = {
    send: (message) => sent.push(JSON.parse(message) as { id: number; method: string; params: unknown }),
    close: () => transport.onclose?.(1000, 'closed by us'),
    onmessage: undefined,
    onclose: undefined,
  };
  const reply = (message: unknown) => transport.onmessage?.(JSON.stringify(message));
  return { transport, sent, reply };
}

test('a reply resolves the request with the same id, in any order', async () => {
  const { transport, sent, reply } = fakeTransport();
  const connection = new CdpConnection(transport);
  const usage = connection.send('Runtime.getHeapUsage');
  const evaluation = connection.send('Runtime.evaluate', { expression: '1+1', returnByValue: true });
  assert.deepEqual(sent.map((m) => m.method), ['Runtime.getHeapUsage', 'Runtime.evaluate']);
  assert.notEqual(sent[0]!.id, sent[1]!.id);
  reply({ id: sent[1]!.id, result: { result: { type: 'number', value: 2 } } });
  reply({ id: sent[0]!.id, result: { usedSize: 10, totalSize: 20, embedderHeapUsedSize: 0, backingStorageSize: 0 } });
  assert.equal((await usage).usedSize, 10);
  assert.equal((await evaluation).result.value, 2);
  assert.equal(connection.pendingCount, 0);
});

test('a remote error rejects with ProtocolError keeping method, code and message', async () => {
  const { transport, sent, reply } = fakeTransport();
  const connection = new CdpConnection(transport);
  const request = connection.send('HeapProfiler.getSamplingProfile');
  reply({ id: sent[0]!.id, error: { code: -32000, message: 'V8 sampling heap profiler was not started.' } });
  await assert.rejects(request, (error: unknown) => {
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.method, 'HeapProfiler.getSamplingProfile');
    assert.equal(error.code, -32000);
    assert.equal(error.remoteMessage, 'V8 sampling heap profiler was not started.');
    return true;
  });
});

test('closing the socket rejects everything waiting with ConnectionClosedError, and later sends fail at once', async () => {
  const { transport } = fakeTransport();
  const connection = new CdpConnection(transport);
  const a = connection.send('Runtime.getHeapUsage');
  const b = connection.send('HeapProfiler.collectGarbage');
  transport.onclose?.(1005, '');
  for (const request of [a, b]) {
    await assert.rejects(request, (error: unknown) => error instanceof ConnectionClosedError && error.closeCode === 1005);
  }
  assert.equal(connection.isClosed, true);
  assert.equal((await connection.closed).closeCode, 1005);
  await assert.rejects(connection.send('Runtime.getHeapUsage'), ConnectionClosedError);
  assert.equal(connection.pendingCount, 0);
});

test('a request without a reply times out with the method named, and its stack points at the caller', async () => {
  const { transport } = fakeTransport();
  const connection = new CdpConnection(transport);
  // Request timers do not hold the process open (a real socket does); this stands in for the socket.
  const keepAlive = setTimeout(() => {}, 1000);
  after(() => clearTimeout(keepAlive));
  await assert.rejects(connection.send('HeapProfiler.collectGarbage', undefined, { timeoutMs: 30 }), (error: unknown) => {
    assert.ok(error instanceof RequestTimeoutError);
    assert.equal(error.method, 'HeapProfiler.collectGarbage');
    assert.match(error.stack ?? '', /connection\.test/);
    return true;
  });
});

test('events reach their listeners until they unsubscribe; garbage is ignored', () => {
  const { transport, reply } = fakeTransport();
  const connection = new CdpConnection(transport);
  const seen: number[] = [];
  const off = connection.on('HeapProfiler.reportHeapSnapshotProgress', (p) => seen.push(p.done));
  reply({ method: 'HeapProfiler.reportHeapSnapshotProgress', params: { done: 1, total: 2 } });
  transport.onmessage?.('not json');
  off();
  reply({ method: 'HeapProfiler.reportHeapSnapshotProgress', params: { done: 2, total: 2 } });
  assert.deepEqual(seen, [1]);
});
