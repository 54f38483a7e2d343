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
