import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocatedBetweenFloors, allocationRateFromGcs } from '../../../src/core/alloc/gc-allocation.js';

const gc = (type: string, beforeBytes: number, afterBytes: number) => ({ type, beforeBytes, afterBytes });

test('the rises between GCs, from the opening floor to the last full GC, are the bytes allocated', () => {
  const gcs = [gc('Scavenge', 30, 12), gc('Scavenge', 40, 15), gc('MarkSweepCompact', 25, 11), gc('Scavenge', 99, 20)];
  // (30 − 10) + (40 − 12) + (25 − 15); the scavenge after the closing full GC is not in the window.
  assert.deepEqual(allocatedBetweenFloors(10, gcs), { bytes: 58, gcs: 3 });
  assert.deepEqual(allocationRateFromGcs(10, gcs, 2000), { bytesPerSecond: 29, samples: 3, lowerBound: false });
});

test('a step of incremental marking is a GC event without a fall: it neither adds nor loses bytes', () => {
  const gcs = [gc('IncrementalMarking', 20, 20), gc('MarkSweepCompact', 26, 8)];
  assert.equal(allocatedBetweenFloors(10, gcs)!.bytes, 16);
});

test('no full GC to close the window: no figure; a fall between GCs (one missed) counts as nothing, not less', () => {
  assert.equal(allocatedBetweenFloors(10, [gc('Scavenge', 30, 12)]), null);
  assert.equal(allocationRateFromGcs(10, [], 1000), null);
  assert.equal(allocationRateFromGcs(10, [gc('MarkSweepCompact', 20, 5)], 0), null);
  assert.equal(allocatedBetweenFloors(10, [gc('Scavenge', 30, 25), gc('MarkSweepCompact', 20, 5)])!.bytes, 20);
});
