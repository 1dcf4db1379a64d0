/**
 * Runs `first` before the signal's other listeners (the run recorder's, which marks the run and exits): Ctrl-C on
 * a driver must take its jobs off the queue before the process goes. Answers a function that undoes it.
 */
export function beforeSignals(signals: readonly NodeJS.Signals[], first: () => Promise<void>): () => void {
  const undo = signals.map((signal) => {
    const others = process.listeners(signal) as ((s: NodeJS.Signals) => void)[];
    for (const l of others) process.off(signal, l);
    const handler = (s: NodeJS.Signals): void => {
      void first()
        .catch(() => undefined)
        .finally(() => {
          for (const l of others) l(s);
          if (others.length === 0) process.exit(s === 'SIGINT' ? 130 : 143);
        });
    };
    process.once(signal, handler);
    return (): void => {
      process.off(signal, handler);
      for (const l of others) process.once(signal, l);
    };
  });
  return () => undo.forEach((u) => u());
}
