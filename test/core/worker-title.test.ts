import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWorkerTitle } from '../../src/core/worker-title.js';

describe('parseWorkerTitle', () => {
  it('reads the thread id and the name of the titles Node 18 to 26 give (captured)', () => {
    assert.deepEqual(parseWorkerTitle('[worker 2] idle-worker'), { threadId: 2, name: 'idle-worker' });
    assert.deepEqual(parseWorkerTitle('[worker 1] leaky-worker'), { threadId: 1, name: 'leaky-worker' });
  });

  it('a worker without a name has an empty one', () => {
    assert.deepEqual(parseWorkerTitle('[worker 12] '), { threadId: 12, name: '' });
    assert.deepEqual(parseWorkerTitle('[worker 12]'), { threadId: 12, name: '' });
  });

  it('keeps brackets and spaces inside the name', () => {
    assert.deepEqual(parseWorkerTitle('[worker 3] pool [a] b'), { threadId: 3, name: 'pool [a] b' });
  });

  it('null for anything else', () => {
    for (const title of ['', 'worker 1', '[worker x] a', '[Worker 1] a', 'node[1]', '[worker 99999999999999999999] a']) {
      assert.equal(parseWorkerTitle(title), null, title);
    }
  });
});
