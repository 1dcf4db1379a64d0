export interface ProgressEvent {
  /** The step: 'reading data', 'auto', 'fitting gbdt', 'cross-validation', … */
  step: string;
  done: number;
  total: number;
  /** What within the step is in flight (auto: the candidate's learner). */
  detail?: string;
  /** What `done` counts ('candidates', 'folds'); none: a percentage. */
  unit?: string;
}

export interface ProgressReporter {
  update(event: ProgressEvent): void;
  /** Ends the progress: on a terminal the line is cleared, nothing is left behind. */
  stop(): void;
}

/** Where one step stands: when it started, and its first measured point (done and time, ms). */
export interface StepClock {
  startedAt: number;
  firstDone: number;
  firstAt: number;
}

/**
 * Seconds left in a step, from the rate measured since its first event: undefined until some work
 * has been done in it (no rate, no guess — never a false "0s"), and when it is done. `capSeconds`
 * bounds it (auto stops at its time budget).
 */
export function etaSeconds(clock: StepClock, done: number, total: number, now: number, capSeconds?: number): number | undefined {
  const progressed = done - clock.firstDone;
  const ms = now - clock.firstAt;
  if (!(progressed > 0) || !(ms > 0) || !(done < total)) return undefined;
  const eta = ((total - done) * ms) / progressed / 1000;
  return capSeconds === undefined ? eta : Math.max(0, Math.min(eta, capSeconds));
}

/** 12.4 s, 3 min 05 s, 1 h 02 min. */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

/** One step's state in words: `auto: forest 3/8 candidates, 12.4 s, about 30.0 s left`. */
export function describe(event: ProgressEvent, clock: StepClock, now: number, capSeconds?: number): string {
  const name = event.detail !== undefined ? `${event.step}: ${event.detail}` : event.step;
  const amount = event.unit !== undefined ? ` ${event.done}/${event.total} ${event.unit}` : event.total > 1 ? ` ${Math.floor((100 * event.done) / Math.max(1, event.total))}%` : '';
  const eta = etaSeconds(clock, event.done, event.total, now, capSeconds);
  return `${name}${amount}, ${formatSeconds((now - clock.startedAt) / 1000)}${eta !== undefined ? `, about ${formatSeconds(eta)} left` : ''}`;
}

export interface ProgressOptions {
  stream?: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };
  /** Before each plain line: 'train: '. */
  prefix?: string;
  /** Nothing is shown until the run has gone on this long (ms): short runs print no progress. Default 1000; $HYPERPLANE_PROGRESS_AFTER_MS overrides. */
  quietMs?: number;
  /** Plain lines (not a terminal): at most one per this many ms within a step, besides starts and ends. Default 5000. */
  plainEveryMs?: number;
  /** Seconds the whole run may take (auto's time budget): caps the ETA. */
  budgetSeconds?: number;
  now?: () => number;
  /** Redraws on a terminal, and plain lines during a long silent step; false in unit tests. */
  timer?: boolean;
}

const CLEAR_LINE = '\r\x1b[K';

/**
 * Progress on stderr, never stdout (which carries --json results). On a terminal, one line redrawn
 * in place, with the step's elapsed time and an ETA from its measured rate, cleared at the end. Not
 * on a terminal (CI logs, pipes): a plain line when a step or candidate starts or finishes, and
 * within a long step at most one every few seconds.
 */
export function progressReporter(options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const envQuiet = Number(process.env['HYPERPLANE_PROGRESS_AFTER_MS']);
  const quietMs = options.quietMs ?? (Number.isFinite(envQuiet) && process.env['HYPERPLANE_PROGRESS_AFTER_MS'] !== '' ? envQuiet : 1000);
  const plainEveryMs = options.plainEveryMs ?? 5000;
  const tty = stream.isTTY === true;
  const prefix = options.prefix ?? '';
  const begun = now();
  let event: ProgressEvent | undefined;
  let clock: StepClock | undefined;
  let drawn = false;
  let lastLineAt = -Infinity;
  let lastLine = '';
  let stopped = false;

  const cap = (): number | undefined => (options.budgetSeconds === undefined ? undefined : Math.max(0, options.budgetSeconds - (now() - begun) / 1000));
  const text = (): string => (event === undefined || clock === undefined ? '' : describe(event, clock, now(), cap()));

  const draw = (): void => {
    if (stopped || event === undefined || now() - begun < quietMs) return;
    const width = Math.max(20, (stream.columns || 80) - 1);
    let line = `${prefix}${text()}`;
    if (line.length > width) line = `${line.slice(0, width - 1)}…`;
    stream.write(`${CLEAR_LINE}${line}`);
    drawn = true;
  };

  const plain = (force: boolean): void => {
    if (stopped || event === undefined || now() - begun < quietMs) return;
    if (!force && now() - lastLineAt < plainEveryMs) return;
    const line = `${prefix}${text()}`;
    if (line === lastLine) return;
    stream.write(`${line}\n`);
    lastLine = line;
    lastLineAt = now();
  };

  const timer = options.timer === false ? undefined : setInterval(() => (tty ? draw() : plain(false)), tty ? 500 : plainEveryMs);
  timer?.unref();

  return {
    update(next) {
      const t = now();
      const newStep = event === undefined || next.step !== event.step || next.total !== event.total || next.done < event.done;
      const newItem = newStep || next.detail !== event?.detail || (next.done === next.total && event?.done !== next.done);
      if (newStep) clock = { startedAt: t, firstDone: next.done, firstAt: t };
      event = next;
      if (tty) draw();
      else plain(newItem);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      if (tty && drawn) stream.write(CLEAR_LINE);
      drawn = false;
    },
  };
}
