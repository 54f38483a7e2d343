import { findStalePartials, stalePartialsMessage } from '../files/private-file.js';
import { writeErr } from './output.js';

/**
 * Says on stderr which `.partial` files in `dir` a killed run left behind: they hold heap contents and stay until
 * someone deletes them (leaktop does not: one may be another user's).
 */
export async function reportStalePartials(dir: string): Promise<void> {
  const stale = await findStalePartials(dir);
  if (stale.length > 0) writeErr(`leaktop: ${stalePartialsMessage(stale)}`);
}
