import { readFileSync } from 'node:fs';
import { UserError } from '../../src/core/user-error.js';
import { InspectorSession, type AttachOptions } from '../../src/inspector/session.js';

/**
 * InspectorSession.attach, tried again while another process on this host holds 127.0.0.1:9229 (other tests, or
 * other test runs on a shared machine, open inspectors there for a moment, and 9229 is host-wide): that failure
 * says nothing about what the tests that call this check. Gives up after `timeoutMs`.
 */
export async function attachWhen9229Free(pid: number, options: AttachOptions = {}, timeoutMs = 60_000): Promise<InspectorSession> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await InspectorSession.attach(pid, options);
    } catch (error) {
      if (!(error instanceof UserError && /port 9229 is taken/.test(error.message)) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Whether some process on this host (this network namespace) listens on port 9229, where every inspector opens
 * first: an attach started while one does fails with "port 9229 is taken". From /proc/net/tcp and tcp6 (LISTEN is
 * state 0A; 9229 is 240D).
 */
export function port9229Listening(): boolean {
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((file) => {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return false;
    }
    return text.split('\n').some((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1]?.endsWith(':240D') === true && fields[3] === '0A';
    });
  });
}
