/**
 * Where a command's time goes, phase by phase (`train --timings`): each lap is the time since the previous one,
 * so the laps add up to the whole.
 */
export class PhaseTimer {
  readonly laps: { phase: string; ms: number }[] = [];
  private last = performance.now();

  /** Ends the phase that ran since the last lap, under this name. */
  lap(phase: string): void {
    const now = performance.now();
    this.laps.push({ phase, ms: now - this.last });
    this.last = now;
  }

  get totalMs(): number {
    return this.laps.reduce((s, l) => s + l.ms, 0);
  }
}
