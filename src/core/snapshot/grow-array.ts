/** A copy of `array` in a new array of `length` elements (the rest zero): how the growing typed arrays grow. */
export function grownTo<T extends Uint8Array | Uint32Array>(array: T, length: number): T {
  const grown = (array instanceof Uint8Array ? new Uint8Array(length) : new Uint32Array(length)) as T;
  grown.set(array);
  return grown;
}
