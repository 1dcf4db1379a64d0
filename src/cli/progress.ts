import { SingleBar } from 'cli-progress';

export interface ProgressEvent {
  step: string;
  done: number;
  total: number;
}

export interface ProgressReporter {
  update(event: ProgressEvent): void;
  stop(): void;
}

/**
 * A progress bar with an ETA on stderr for each long step, drawn only on a terminal: piped or CI
 * output stays clean.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  let bar: SingleBar | undefined;
  let current = '';
  return {
    update(event) {
      if (event.step !== current || bar === undefined) {
        bar?.stop();
        current = event.step;
        bar = new SingleBar({ format: `${event.step.padEnd(28)} [{bar}] {percentage}% | ETA {eta_formatted}`, stream, hideCursor: true, clearOnComplete: true }, undefined);
        bar.start(Math.max(1, event.total), event.done);
        return;
      }
      bar.setTotal(Math.max(1, event.total));
      bar.update(event.done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
