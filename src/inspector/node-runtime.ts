import type { InspectorSession } from './session.js';

/**
 * The NodeRuntime domain of Node's inspector (not in devtools-protocol, which is Chrome's).
 *
 * Why leaktop needs it: a process whose inspector has a session connected may not exit. At exit (process.exit or
 * an empty event loop) it prints "Waiting for the debugger to disconnect...", destroys its JavaScript context
 * (every later evaluation answers "Cannot find context with specified id") and waits until every session has gone
 * — for as long as leaktop stays attached. So a service told to stop (systemd's SIGTERM, a pm2 restart) would hang
 * until SIGKILL. Measured here with SIGUSR1-opened inspectors as leaktop opens them: Node 18 and 20 wait for any
 * connected session, Node 22, 24 and 26 once the session has sent a request — which every leaktop session has.
 *
 * `notifyWhenWaitingForDisconnect` makes Node tell the session instead (`waitingForDisconnect`, context kept),
 * and the session then closes its connection so the process exits at once.
 */
export interface NodeRuntimeCommands {
  'NodeRuntime.notifyWhenWaitingForDisconnect': { enabled: boolean };
}

export interface NodeRuntimeEvents {
  'NodeRuntime.waitingForDisconnect': Record<string, never>;
}

/**
 * Asks the target to say when it is exiting and waiting for leaktop to disconnect, and disconnects then. Not
 * awaited: the request is the first message on the socket, so the target reads it before anything else leaktop
 * asks, and waiting for its reply would not close the window of an exit already under way (that one shows as
 * "Cannot find context" and is handled where steps fail). A target that does not know the domain (none of
 * Node 18–26) or does not answer is left as it is.
 */
export function disconnectWhenExiting(session: InspectorSession, timeoutMs: number): void {
  const connection = session.connection;
  const on = connection.on.bind(connection) as unknown as (event: keyof NodeRuntimeEvents, handler: () => void) => () => void;
  on('NodeRuntime.waitingForDisconnect', () => connection.close());
  const send = connection.send.bind(connection) as unknown as <M extends keyof NodeRuntimeCommands>(
    method: M,
    params: NodeRuntimeCommands[M],
    options: { timeoutMs: number },
  ) => Promise<unknown>;
  send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }, { timeoutMs }).catch(() => undefined);
}
