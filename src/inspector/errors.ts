/** What to try when the process ended under us (every "process exited" refusal carries it). */
export const EXITED_HINT = 'Check its log (and dmesg, for the OOM killer) for why it ended.';

/**
 * Failures of the CDP client itself. They are bugs or transient conditions, not user mistakes; the attach layer
 * turns the ones a person can act on into a UserError with a hint.
 */
export class InspectorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The target answered a request with an error. */
export class ProtocolError extends InspectorError {
  constructor(
    /** The CDP method that failed, e.g. `Runtime.evaluate`. */
    readonly method: string,
    /** The remote error code. */
    readonly code: number,
    /** The remote error message, as sent. */
    readonly remoteMessage: string,
  ) {
    super(`${method} failed: ${remoteMessage} (${code})`);
  }
}

/** The socket closed; every request still waiting is rejected with this. */
export class ConnectionClosedError extends InspectorError {
  constructor(
    readonly closeCode: number,
    readonly reason: string,
  ) {
    super(`inspector connection closed (${closeCode}${reason ? `: ${reason}` : ''})`);
  }
}

/** No reply within the request's timeout. */
export class RequestTimeoutError extends InspectorError {
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} got no reply within ${timeoutMs} ms`);
  }
}

/** A WebSocket to an inspector could not be opened: refused, dropped, not upgraded, or no answer in time. */
export class ConnectFailedError extends InspectorError {
  constructor(
    /** The URL we tried. */
    readonly url: string,
    /** What went wrong, as the socket reported it. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`could not open ${url}: ${detail}`, options);
  }
}
