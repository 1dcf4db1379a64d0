import { z } from 'zod';
import { policySpecSchema } from '../deployments.js';

/**
 * The request envelopes the routes validate with. The OpenAPI document's request schemas are generated
 * from these same objects (schemas/openapi.ts), so a limit or a field cannot differ between the two.
 * A row's own fields are not here: they are checked per model, against its package's signature.
 */

/** Rows per request at most, unless the server is given another limit. */
export const DEFAULT_MAX_ROWS = 10_000;
/** Feedback items per request at most: a bigger list is a 413 naming the limit. */
export const MAX_FEEDBACK_ITEMS = 1000;
/** An outcome's JSON at most: a label, a value or a reward is a few bytes; megabytes are a mistake or an attack. */
export const MAX_OUTCOME_BYTES = 4096;

/** How a value is named in an answer: 'null', 'an array', 'an object', 'a string'… */
export const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value === 'string' ? 'a string' : `a ${typeof value}`);

/**
 * One row. Any value passes the envelope: the model's validator checks each row and names each field's
 * problem. The document says what a row is (and `Model_<name>_Input` what each model's holds).
 */
export const rowSchema = z.unknown();
export const ROW_DOC = { type: 'object', additionalProperties: true, description: 'One row: field name → value (number, string, boolean or null). A missing field is predicted as missing.' } as const;

/** `{rows: [...]}` at most `maxRows` long. `row`: the item schema (the route passes rows on unchecked; the document names Row). */
export function batchSchemaOf<Row extends z.ZodType>(row: Row, maxRows: number) {
  return z.object({
    rows: z
      .array(row, { error: (issue) => `'rows': expected a list of row objects, got ${kindOf(issue.input)}` })
      .min(1, { error: "'rows' is empty" })
      .max(maxRows, { error: (issue) => `${Array.isArray(issue.input) ? issue.input.length : '?'} rows: at most ${maxRows} a request` }),
  });
}

/** Whether a body is a batch: `{"rows": 5}` is a batch gone wrong, not one row of missing values. */
export const isBatch = (body: unknown): body is { rows: unknown } => body !== null && typeof body === 'object' && !Array.isArray(body) && Object.hasOwn(body, 'rows');

const ITEM_EXPECTED = '{ "id": prediction id, "outcome": the true value }';
const ID_EXPECTED = 'the id a prediction answered with';
const OUTCOME_EXPECTED = 'the true label, value or { "reward": 0..1 }';
const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '');

const rewardOf = (outcome: unknown): unknown => (outcome !== null && typeof outcome === 'object' ? (outcome as { reward?: unknown }).reward : undefined);
/** A label, a value, or `{reward: 0..1}`; its JSON at most MAX_OUTCOME_BYTES. */
const outcomeSchema = z
  .union([z.string(), z.number(), z.boolean(), z.looseObject({ reward: z.number().min(0).max(1).optional() })], {
    error: (issue) => {
      const o = issue.input;
      if (o === undefined) return 'missing';
      if (o === null || Array.isArray(o)) return `got ${kindOf(o)}`;
      return `got ${String(JSON.stringify(rewardOf(o))).slice(0, 40)}`;
    },
  })
  .refine((o) => jsonBytes(o) <= MAX_OUTCOME_BYTES, { error: (issue) => `${jsonBytes(issue.input)} bytes as JSON`, params: { expected: `at most ${MAX_OUTCOME_BYTES} bytes` } });

/** One feedback item: the prediction's id and its true outcome. */
export const feedbackItemSchema = z.object(
  {
    id: z.string({ error: 'missing or not a string' }).min(1, { error: 'missing or not a string' }).max(500, { error: 'missing or not a string' }),
    outcome: outcomeSchema,
  },
  { error: (issue) => `got ${issue.input === null ? 'null' : Array.isArray(issue.input) ? 'an array' : typeof issue.input}` },
);

/** A list of feedback items: at least one, at most MAX_FEEDBACK_ITEMS. `item`: as for batchSchemaOf. */
export function feedbackListOf<Item extends z.ZodType>(item: Item) {
  return z
    .array(item)
    .min(1, { error: 'no feedback items: send { "id", "outcome" } or a list of them' })
    .max(MAX_FEEDBACK_ITEMS, { error: (issue) => `${Array.isArray(issue.input) ? issue.input.length : '?'} feedback items: at most ${MAX_FEEDBACK_ITEMS} items a request` });
}

/** One item, a list, or `{feedback: [...]}`: the items, as sent (each is checked on its own and answered on its own). */
export function feedbackItems(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  const listed = body !== null && typeof body === 'object' ? (body as { feedback?: unknown }).feedback : undefined;
  return Array.isArray(listed) ? listed : [body];
}

/** What is wrong with one feedback item, in the answer's terms, if anything. */
export function feedbackItemProblem(item: unknown): { field: string; problem: string; expected: string } | undefined {
  const parsed = feedbackItemSchema.safeParse(item);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  const [top] = issue.path;
  if (top === undefined) return { field: '(feedback)', problem: issue.message, expected: ITEM_EXPECTED };
  if (top === 'id') return { field: 'id', problem: issue.message, expected: ID_EXPECTED };
  if (issue.code === 'custom') return { field: 'outcome', problem: issue.message, expected: String((issue.params as { expected?: unknown } | undefined)?.expected ?? OUTCOME_EXPECTED) };
  // An object outcome fails only on its reward.
  const outcome = (item as { outcome?: unknown }).outcome;
  if (outcome !== null && typeof outcome === 'object' && !Array.isArray(outcome)) return { field: 'outcome.reward', problem: issue.message, expected: 'a number from 0 to 1' };
  return { field: 'outcome', problem: issue.message, expected: OUTCOME_EXPECTED };
}

/** `PUT /v1/admin/deployments/NAME`: the policy, checked by the schema `hyperplane deploy` uses. */
export const deploymentBodySchema = z.object({ policy: policySpecSchema });

const wholeNumber = z
  .string()
  .regex(/^\d{1,15}$/, { error: (issue) => `expected a whole number, got '${String(issue.input).slice(0, 40)}'` })
  .transform(Number);
/** `GET /v1/admin/audit`'s filters: times in epoch ms, `before` the last id of the previous page; any other parameter is refused. */
export const auditQuerySchema = z.strictObject({
  actor: z.string().optional(),
  action: z.string().optional(),
  target: z.string().optional(),
  since: wholeNumber.optional(),
  until: wholeNumber.optional(),
  before: wholeNumber.optional(),
  limit: wholeNumber.optional(),
});

const DATATYPES = ['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BOOL', 'BYTES'] as const;
/** An Open Inference Protocol tensor. Its data is checked against its shape and datatype by protocols.ts. */
export const tensorSchema = z.object({ name: z.string(), shape: z.array(z.number().int()), datatype: z.enum(DATATYPES), data: z.array(z.unknown()) });
/** A v2 `infer` body's tensors: at least one. `tensor`: as for batchSchemaOf (protocols.ts checks each against its shape, its datatype and the model's inputs). */
export const inferInputsOf = <Tensor extends z.ZodType>(tensor: Tensor) => z.array(tensor).min(1);
/** A v2 `infer` body: one tensor per input column, or one [n, d] tensor. */
export const inferRequestSchema = z.object({ id: z.string().optional().describe('Echoed in the answer'), inputs: inferInputsOf(tensorSchema) });
/** MLflow's `dataframe_split.columns`: the column names. */
export const mlflowColumnsSchema = z.array(z.string());
/** MLflow's scoring body. */
export const mlflowRequestSchema = z.object({
  dataframe_split: z.object({ columns: mlflowColumnsSchema, data: z.array(z.array(z.unknown())).describe('Rows, each as long as columns') }).optional(),
  dataframe_records: z.array(rowSchema).optional(),
});

/** An alias move's body (the dashboard's Models page): the version, and the version the alias pointed at when the person confirmed (null: nowhere). */
export const aliasMoveBodySchema = z.object({ version: z.number().int().min(1), expect: z.number().int().min(1).nullable().optional() }).strict();
