/**
 * Where a command's time goes, phase by phase (`train --timings`): each lap is the time since the previous one,
 * so the laps add up to the whole. With `peakBytes` (the process's peak resident size so far, which the CLI reads
 * from the OS), each lap also keeps the peak at its end: the phase whose lap raises it is where memory peaked.
 */
export class PhaseTimer {
  readonly laps: { phase: string; ms: number; peakBytes?: number }[] = [];
  private last = performance.now();

  constructor(private readonly peakBytes?: () => number) {}

  /** Ends the phase that ran since the last lap, under this name. */
  lap(phase: string): void {
    const now = performance.now();
    this.laps.push({ phase, ms: now - this.last, ...(this.peakBytes !== undefined ? { peakBytes: this.peakBytes() } : {}) });
    this.last = now;
  }

  get totalMs(): number {
    return this.laps.reduce((s, l) => s + l.ms, 0);
  }
}
