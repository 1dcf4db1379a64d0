import type { Task } from '../learn/contract.js';
import { ANOMALY_FLAGS, predictionInto } from '../pipeline/prediction.js';
import type { Answer } from './reply.js';
import type { ServedVersion } from './served-models.js';

/**
 * Rows scored by one version: ids, labels and scores side by side, with no object per row. The
 * `/v1` route and the log write their JSON straight from it (one encoding serves both: the answer
 * and the logged response); the other protocols take `answers()`.
 */
export class Scored {
  /** Each row's `"prediction":…,"probabilities":{…}`, made once for both the answer and the log. */
  private readonly fields: (string | undefined)[];
  /** Each row's explanation as JSON, when the request asked for one (`?explain=`): in the answer and in the log. */
  explanations: readonly string[] | undefined;
  /** Rows answered with `"abstained":true` (undefined when the deployment has no threshold, or the version is not a classifier). */
  abstained: Uint8Array | undefined;
  /** How many rows abstained. */
  abstentions = 0;
  /** The version's task, read once: an anomaly model answers a flag and a score, a clustering a cluster. */
  private readonly task: Task;
  /** The deployment's abstain-below threshold, for the reason given. */
  private threshold = NaN;

  constructor(
    readonly model: ServedVersion,
    readonly ids: readonly string[],
    /** Classification: index into the version's labels; regression: unused. */
    readonly codes: Int32Array | undefined,
    /** Classification: n × k probabilities; regression: n values. */
    readonly scores: Float64Array,
    /** Per row: unknown categories and the like, usually empty. */
    readonly notes: readonly (readonly string[])[],
    /** A scorecard's rows: each one's `"score":…,"points":[…],"reasons":[…]`, in every answer and the log. */
    readonly cards?: readonly string[],
    /** The deployment's threshold: a classifier's row whose answered class has a lower probability is marked abstained. */
    abstainBelow?: number,
  ) {
    this.fields = new Array(ids.length);
    const task = (this.task = model.pipeline.spec.target.task);
    // Only a classifier's answers have a class probability to abstain on.
    if (abstainBelow !== undefined && codes !== undefined && (task === 'binary' || task === 'multiclass')) this.abstainOn(abstainBelow, codes);
  }

  /** Marks each row whose answered class's probability is below `threshold`. */
  private abstainOn(threshold: number, codes: Int32Array): void {
    const k = this.scores.length / Math.max(1, codes.length);
    const marks = new Uint8Array(codes.length);
    let n = 0;
    for (let i = 0; i < codes.length; i++) {
      if (this.scores[i * k + codes[i]!]! < threshold) {
        marks[i] = 1;
        n++;
      }
    }
    this.abstained = marks;
    this.abstentions = n;
    this.threshold = threshold;
  }

  /** Whether row `i` abstained. */
  abstainedAt(i: number): boolean {
    return this.abstained !== undefined && this.abstained[i] === 1;
  }

  /** Why row `i` abstained: the answered class's probability against the threshold. */
  abstainReason(i: number): string {
    const k = this.scores.length / this.length;
    const p = this.scores[i * k + this.codes![i]!]!;
    // Rounded where that still reads below the threshold.
    const shown = Number(p.toPrecision(3)) < this.threshold ? Number(p.toPrecision(3)) : p;
    return `the predicted class's probability ${shown} is below the deployment's threshold ${this.threshold}`;
  }

  get length(): number {
    return this.ids.length;
  }

  /** `{"prediction":…,"probabilities":{…}}` (a scorecard's score, points and reasons after): what the log keeps as the response. */
  outputJson(i: number): string {
    return `{${this.outputFields(i)}}`;
  }

  /** One row's answer: `{"id":…,"prediction":…,"probabilities":{…},"notes":[…]}`, less its closing brace when `open`. */
  answerJson(i: number, open = false): string {
    const notes = this.notes[i]!;
    return `{"id":"${this.ids[i]!}",${this.outputFields(i)}${notes.length > 0 ? `,"notes":${JSON.stringify(notes)}` : ''}${open ? '' : '}'}`;
  }

  /**
   * The /v1 answer: one row's answer with the version and time beside its fields, or for a batch
   * `{"model":…,"version":…,"arm":…,"ms":…,"predictions":[…]}`; `arm` only when a policy chose one.
   */
  v1Json(batch: boolean, arm: string | undefined, ms: number): string {
    const meta = `${this.model.json.meta}${arm !== undefined ? `,"arm":${JSON.stringify(arm)}` : ''},"ms":${Number(ms.toFixed(3))}`;
    if (!batch) return `${this.answerJson(0, true)}${meta}}`;
    const answers: string[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) answers[i] = this.answerJson(i);
    return `{${meta.slice(1)},"predictions":[${answers.join(',')}]}`;
  }

  /** Every row as an object, for the protocols that reshape answers: made as `Pipeline.predict` makes the library's. */
  answers(): Answer[] {
    const target = this.model.pipeline.spec.target;
    const out: Answer[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const answer: Answer = predictionInto({ id: this.ids[i]! }, target, this.codes, this.scores, i, this.notes[i]!);
      if (this.abstainedAt(i)) {
        answer.abstained = true;
        answer.reason = this.abstainReason(i);
      }
      out[i] = answer;
    }
    return out;
  }

  private outputFields(i: number): string {
    if (this.fields[i] !== undefined) return this.fields[i];
    let text = this.encodeFields(i);
    if (this.abstained !== undefined && this.abstained[i] === 1) text += `,"abstained":true,"reason":${JSON.stringify(this.abstainReason(i))}`;
    if (this.cards !== undefined) text += `,${this.cards[i]!}`;
    if (this.explanations !== undefined) text += `,"explanation":${this.explanations[i]!}`;
    return (this.fields[i] = text);
  }

  private encodeFields(i: number): string {
    const json = this.model.json;
    if (this.codes === undefined) return `"prediction":${number(this.scores[i]!)}`;
    if (this.task === 'cluster') return `"prediction":${this.codes[i]!}`;
    if (this.task === 'anomaly') return `"prediction":"${ANOMALY_FLAGS[this.codes[i]! as 0 | 1]}","score":${number(this.scores[i]!)}`;
    const k = json.labels.length;
    let text = `"prediction":${json.labels[this.codes[i]!]!},"probabilities":{`;
    for (let c = 0; c < k; c++) text += `${c > 0 ? ',' : ''}${json.labels[c]!}:${number(this.scores[i * k + c]!)}`;
    return `${text}}`;
  }
}

/** A number as JSON writes it: non-finite ones (which a scoring version never gives) as null. */
export const number = (x: number): string => (Number.isFinite(x) ? String(x) : 'null');
