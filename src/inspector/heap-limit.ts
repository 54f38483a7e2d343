import type { InspectorSession } from './session.js';

/**
 * The V8 heap limit of the target, bytes: `v8.getHeapStatistics().heap_size_limit`, which `--max-old-space-size`
 * (flag or NODE_OPTIONS) sets and V8 otherwise derives from the machine's memory. A heap that reaches it ends in
 * "JavaScript heap out of memory". One evaluation; null when it cannot be read.
 */
export async function readHeapSizeLimit(session: InspectorSession): Promise<number | null> {
  const expression = "(process.getBuiltinModule?.('v8') ?? require('v8')).getHeapStatistics().heap_size_limit";
  try {
    const reply = await session.connection.send('Runtime.evaluate', { expression, includeCommandLineAPI: true, returnByValue: true, silent: true }, { timeoutMs: 5000 });
    const value = reply.exceptionDetails ? null : (reply.result.value as unknown);
    return typeof value === 'number' && value > 0 ? value : null;
  } catch {
    return null;
  }
}
