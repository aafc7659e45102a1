// Signals as the API names them (`SIGTERM`, `TERM`, `15`), turned into numbers for events.
const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18,
  SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27,
  SIGWINCH: 28, SIGIO: 29, SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31,
};

/** The number of a signal given by name (with or without `SIG`, any case) or number; SIGTERM's when unknown. */
export function signalNumber(signal: string): number {
  if (/^\d+$/.test(signal)) return Number(signal);
  const upper = signal.toUpperCase();
  return SIGNALS[upper.startsWith('SIG') ? upper : `SIG${upper}`] ?? 15;
}
