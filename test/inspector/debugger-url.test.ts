import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debuggerUrlAt } from '../../src/inspector/debugger-url.js';

test('debuggerUrlAt keeps only the path of the advertised URL, at the probed host and port', () => {
  const uuid = '0f7a3c1e-5b2d-4c8e-9a61-2d3b4c5d6e7f';
  assert.equal(debuggerUrlAt('127.0.0.1', 9229, `ws://127.0.0.1:9229/${uuid}`), `ws://127.0.0.1:9229/${uuid}`);
  assert.equal(debuggerUrlAt('127.0.0.1', 40001, `ws://127.0.0.2:4444/${uuid}`), `ws://127.0.0.1:40001/${uuid}`);
  assert.equal(debuggerUrlAt('127.0.0.1', 40001, `ws://0.0.0.0:40001/${uuid}`), `ws://127.0.0.1:40001/${uuid}`);
  assert.equal(debuggerUrlAt('::1', 40001, `ws://[::1]:40001/${uuid}`), `ws://[::1]:40001/${uuid}`);
  assert.equal(debuggerUrlAt('127.0.0.1', 40001, `ws://evil.example:80/${uuid}`), `ws://127.0.0.1:40001/${uuid}`);
});

test('debuggerUrlAt refuses anything but one plain path segment over ws:', () => {
  for (const advertised of ['ws://h/a/b', 'ws://h/x?y', 'ws://h/x#y', 'ws://u@h/x', 'ws://u:p@h/x', 'wss://h/x', 'http://h/x', 'ws://h/', 'ws://h', 'ws://h/..', 'ws://h/%2F', 'ws://h/x.y', '', 'x']) {
    assert.equal(debuggerUrlAt('127.0.0.1', 9229, advertised), null, advertised);
  }
  assert.equal(debuggerUrlAt('127.0.0.1', 0, 'ws://h/x'), null, 'port 0');
  assert.equal(debuggerUrlAt('127.0.0.1', 70000, 'ws://h/x'), null, 'port out of range');
});
