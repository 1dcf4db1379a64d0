import type { EncodedPrediction } from '../../store/index.js';
import { rowTexts } from './row-texts.js';

/**
 * A batch request's body, shared by the log records of its rows. Each row is logged as it came, cut
 * from the body; the cut (a scan of the whole body, ~2 ms for 1,000 rows) waits until a record is
 * written, which for SQLite is on the log's own thread, away from the requests.
 */
export class BatchBody {
  private texts: readonly string[] | undefined;

  constructor(
    /** The body's JSON text, `{"rows": [...]}`, which JSON.parse accepted. */
    readonly json: string,
    readonly count: number,
  ) {}

  /** Row i's text. */
  row(i: number): string {
    this.texts ??= cutRows(this.json, this.count);
    return this.texts[i]!;
  }
}

/** Each row's text as it came; a body the cut can't follow (a key spelled with escapes, "rows" twice) is parsed again and each row encoded. */
function cutRows(json: string, count: number): readonly string[] {
  return rowTexts(json, count) ?? (JSON.parse(json) as { rows: unknown[] }).rows.map((row) => JSON.stringify(row));
}

/**
 * One row of a batch, as the prediction log holds it: its request text is cut from the shared body
 * when read. The body is held in a private field, so spreading or serializing the record (the spill
 * file does) sees only the prediction's own fields.
 */
export class BatchRowPrediction implements EncodedPrediction {
  readonly #body: BatchBody;
  readonly #index: number;
  declare arm?: string | null;
  declare requestId?: string | null;

  constructor(
    body: BatchBody,
    index: number,
    readonly id: string,
    readonly model: string,
    readonly version: number,
    readonly timestamp: number,
    readonly responseJson: string,
    readonly latencyMs: number,
    arm: string | null,
    requestId: string | null,
  ) {
    this.#body = body;
    this.#index = index;
    if (arm !== null) this.arm = arm;
    if (requestId !== null) this.requestId = requestId;
  }

  get requestJson(): string {
    return this.#body.row(this.#index);
  }

  /** The shared body, and this row's place in it: what the log's thread is sent instead of the text. */
  get body(): BatchBody {
    return this.#body;
  }

  get rowIndex(): number {
    return this.#index;
  }
}
