import type { HeapSnapshot } from './heap-snapshot.js';

/** V8's detachedness values (DevTools' DOMLinkState). */
const ATTACHED = 1;
const DETACHED = 2;
const STATE = 3;
const VISITED = 4;

/**
 * Which native (embedder) nodes are detached, the way DevTools' `HeapSnapshot.propagateDOMState` decides before it
 * renames them `Detached <name>`: nodes with a known state keep it; a native node reached from an attached one is
 * attached; one reached only from detached ones is detached. The state travels only through native nodes and not
 * through hidden, invisible or weak edges. In Node these are embedder objects (BindingData, handles…); in a
 * browser, DOM nodes.
 *
 * Returns the detached nodes in increasing order — few: embedder objects are a small part of a heap — or null when
 * the snapshot has no detachedness or nothing is detached.
 */
export function detachedNodes(snapshot: HeapSnapshot): Uint32Array | null {
  const { nodeCount, nodeType, nodeDetachedness, firstEdge, edgeType, edgeToNode } = snapshot;
  if (!snapshot.meta.nodeFields.includes('detachedness')) return null;
  const native = snapshot.nodeTypeNames.indexOf('native');
  const skipped = new Uint8Array(256);
  for (const name of ['hidden', 'invisible', 'weak']) {
    const type = snapshot.edgeTypeNames.indexOf(name);
    if (type >= 0) skipped[type] = 1;
  }
  // One byte per node: its state (bits 0-1) and whether it was visited (bit 2).
  const state = new Uint8Array(nodeCount);
  const attachedStack: number[] = [];
  const detachedStack: number[] = [];
  const detached: number[] = [];
  const visit = (node: number, newState: number) => {
    if ((state[node]! & VISITED) !== 0) return;
    // The state does not travel through JavaScript objects: every way into embedder code is a native node that
    // knows its own state.
    if (nodeType[node] !== native) {
      state[node] = VISITED;
      return;
    }
    state[node] = newState | VISITED;
    if (newState === ATTACHED) attachedStack.push(node);
    else if (newState === DETACHED) {
      detached.push(node);
      detachedStack.push(node);
    }
  };
  const spread = (from: number, newState: number) => {
    for (let e = firstEdge[from]!, end = firstEdge[from + 1]!; e < end; e++) {
      if (skipped[edgeType[e]!] !== 1) visit(edgeToNode[e]!, newState);
    }
  };
  forEachNonZero(nodeDetachedness, (node, known) => visit(node, known));
  while (attachedStack.length > 0) spread(attachedStack.pop()!, ATTACHED);
  while (detachedStack.length > 0) {
    const node = detachedStack.pop()!;
    if ((state[node]! & STATE) !== ATTACHED) spread(node, DETACHED);
  }
  // A node's state is set once, when first visited: those that became detached stay so.
  return detached.length === 0 ? null : Uint32Array.from(detached).sort();
}

/**
 * Calls `f(index, value)` for the non-zero bytes of `bytes`, in order: almost all are zero (only embedder objects
 * have a state), so whole 32-bit words of zeros are skipped where the bytes are aligned for it.
 */
function forEachNonZero(bytes: Uint8Array, f: (index: number, value: number) => void): void {
  let i = 0;
  if (bytes.byteOffset % 4 === 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
    for (let w = 0; w < words.length; w++) {
      if (words[w] === 0) continue;
      for (let b = w << 2, end = b + 4; b < end; b++) if (bytes[b] !== 0) f(b, bytes[b]!);
    }
    i = words.length << 2;
  }
  for (; i < bytes.length; i++) if (bytes[i] !== 0) f(i, bytes[i]!);
}
