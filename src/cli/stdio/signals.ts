// Signals berth passes on to a container it runs in the foreground without a terminal (`run`, `attach
// --sig-proxy`), as `docker run` does: the container gets what berth gets. SIGKILL and SIGSTOP cannot be caught;
// SIGCHLD, SIGPIPE and SIGWINCH are berth's own business.
import type { Engine } from '../../engine-client/index.js';

export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export interface SignalProxyOptions {
  /** Registers the handler; returns its removal (CliIo.onSignal). */
  readonly onSignal?: (handler: (signal: NodeJS.Signals) => void) => () => void;
  /** Told when a second Ctrl-C kills the container. */
  readonly note?: (line: string) => void;
}

/**
 * Sends each signal berth receives to the container. A second Ctrl-C kills it (a process that ignores SIGINT, as
 * a shell running as PID 1 does, would otherwise keep the terminal). Returns the function that stops forwarding.
 */
export function proxySignals(engine: Pick<Engine, 'containers'>, container: string, options: SignalProxyOptions): () => void {
  let interrupts = 0;
  return (
    options.onSignal?.((signal) => {
      if (signal === 'SIGINT' && ++interrupts > 1) {
        options.note?.('Killing the container (Ctrl-C again)');
        void engine.containers.kill(container, 'SIGKILL').catch(() => {});
        return;
      }
      // The container may have stopped meanwhile: nothing to signal, and nothing to report.
      void engine.containers.kill(container, signal).catch(() => {});
    }) ?? (() => {})
  );
}
