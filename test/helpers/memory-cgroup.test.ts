/** The cgroup helpers' cleanup: one group that cannot be removed does not keep the others on the host. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { removeEach } from './memory-cgroup.js';

test('removeEach tries every group, then throws one error naming each failure', async () => {
  const tried: string[] = [];
  const group = (name: string, fails: boolean) => ({
    async remove() {
      tried.push(name);
      if (fails) throw new Error(`could not remove ${name}`);
    },
  });
  await assert.rejects(removeEach([group('a', true), group('b', false), group('c', true)]), (error: unknown) => {
    assert.ok(error instanceof AggregateError);
    assert.equal(error.message, 'could not remove a; could not remove c');
    assert.equal(error.errors.length, 2);
    return true;
  });
  assert.deepEqual(tried, ['a', 'b', 'c'], 'b and c were tried after a failed');
  await assert.rejects(removeEach([group('d', true)]), /^Error: could not remove d$/, 'one failure: that error itself');
  await removeEach([group('e', false)]);
});
