/**
 * Work put off to the end of the event loop's current turn (its check phase), run in order. The server
 * writes its answers this way: the requests read in one turn are all handled first, then their answers
 * go out back to back, instead of one write between each request's work. A client on the same machine
 * (a sidecar proxy, a load generator) is then woken about once a turn rather than once an answer; on this
 * project's 2-vCPU VM a wake-up cost the writer ~15 µs, and one worker answered 10–47% more single rows
 * a second this way (six alternations, docs/benchmarks.md). An answer waits at most for the rest of its turn.
 *
 * `beforeRun` runs first, once per turn: the prediction journal's commit, so that every answer of the
 * turn is journaled before it is written (one write for the whole turn). When it throws, each task is
 * told, and answers with an error instead.
 */
export class TurnEnd {
  private queue: ((failed: unknown) => void)[] = [];

  constructor(
    private readonly onError: (e: unknown) => void,
    private readonly beforeRun?: () => void,
  ) {}

  /** Runs `task` at the end of this turn, after the tasks queued before it. */
  later(task: (failed: unknown) => void): void {
    this.queue.push(task);
    if (this.queue.length === 1) setImmediate(this.run);
  }

  private readonly run = (): void => {
    const tasks = this.queue;
    this.queue = [];
    let failed: unknown;
    try {
      this.beforeRun?.();
    } catch (e) {
      failed = e;
      this.onError(e);
    }
    for (const task of tasks) {
      try {
        task(failed);
      } catch (e) {
        // One failed answer must not keep the others in its turn from going out.
        this.onError(e);
      }
    }
  };
}
