import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureStepWords } from '../../src/core/capture-step.js';

test("a capture's step as the footer and the leak check word it", () => {
  assert.equal(captureStepWords({ phase: 'gc' }), 'full GC');
  assert.equal(captureStepWords({ phase: 'building', done: 2, total: 5 }), 'building 40%');
  // A total V8 has not said yet is not a division by zero.
  assert.equal(captureStepWords({ phase: 'building', done: 0, total: 0 }), 'building 0%');
  assert.equal(captureStepWords({ phase: 'writing', bytes: 12 * 1024 * 1024 }), 'writing 12.0M');
  assert.equal(captureStepWords({ phase: 'retained' }), 'retained sizes (the process runs again)');
});
