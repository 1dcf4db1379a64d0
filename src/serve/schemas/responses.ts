import { z } from 'zod';
import { tensorSchema } from './requests.js';

/**
 * The answers' shapes. The routes write their answers directly (the predict route as JSON text), so
 * these only document them: the OpenAPI document's response schemas are generated from them, and
 * test/serve/openapi.test.ts checks real answers against what is published.
 */

// null only inside a branch: OpenAPI 3.0's nullable means nothing without a type.
const label = z.union([z.string().nullable(), z.number()]).describe('The class label, or the value');
const probabilities = z.record(z.string(), z.number()).describe('Class label → probability (classification only)');
const notes = z.array(z.string()).describe('What was noted about the row (e.g. a field the model does not read)');
const id = z.string().describe('The prediction id: send feedback with it');
const explanation = z
  .object({
    class: z.string().optional().describe('The class explained: the positive class for binary, the predicted one for multiclass'),
    scale: z.enum(['log-odds', 'class margin', 'probability', 'value', 'log value']).describe('What base and contributions are in'),
    base: z.number().describe('The margin with nothing known about the row'),
    margin: z.number().describe("base + every column's contribution: for binary, the logit of the positive class's probability"),
    contributions: z
      .array(
        z.object({
          column: z.string(),
          value: z.unknown().describe("The row's value of the column, as sent"),
          contribution: z.number().describe('Its additive part of the margin'),
          share: z.number().describe('contribution / Σ |contributions| of the row'),
          probabilityChange: z.number().optional().describe("The class's probability less what it would be without this contribution (classification)"),
        }),
      )
      .describe('The top columns by |contribution| (?explain=K), or all'),
    additivityError: z.number().optional().describe("An ensemble's margin less base + Σ contributions (its members' probabilities are averaged)"),
  })
  .describe('With ?explain=K or ?explain=all: why this prediction');
const ruleExplanation = z
  .object({
    rule: z.string().nullable().describe('The condition that held, as written; null when none did'),
    index: z.number().int().describe('Its place among the conditions (0-based); their number for otherwise'),
    then: z.union([z.number(), z.string()]),
  })
  .describe("A rules model's explanation (?explain=…): the rule that fired");

// A scorecard's answers carry these always, not only with ?explain: the score is what such a model is read by.
const score = z.number().int().describe("A scorecard's score: the sum of its points (scorecard models only)");
const points = z
  .array(z.object({ characteristic: z.string(), attribute: z.string().describe("The row's bin of the characteristic"), points: z.number().int() }))
  .describe("A scorecard's points, one per characteristic (scorecard models only)");
const reasons = z
  .array(z.object({ characteristic: z.string(), attribute: z.string(), pointsLost: z.number().int().describe("The characteristic's best points less the row's") }))
  .describe("A scorecard's reason codes: up to four characteristics that cost the row the most points, most first (scorecard models only)");

// Only in answers routed by a deployment with an abstain-below threshold, on the rows below it.
const abstained = z.boolean().describe("true when the predicted class's probability is below the deployment's `abstainBelow` threshold: the prediction and probabilities are still given; absent otherwise");
const reason = z.string().describe('Why the answer abstained: the probability against the threshold (with `abstained`)');

/** One row's answer. */
export const predictionSchema = z.object({
  id,
  prediction: label,
  probabilities: probabilities.optional(),
  abstained: abstained.optional(),
  reason: reason.optional(),
  notes: notes.optional(),
  score: score.optional(),
  points: points.optional(),
  reasons: reasons.optional(),
  explanation: z.union([explanation, ruleExplanation]).optional(),
  model: z.string(),
  version: z.number().int(),
  arm: z.string().optional().describe("The deployment arm that answered, for a deployment's name"),
  ms: z.number().describe('Time to answer, in milliseconds'),
});

/** The answer for `{rows}`: one prediction per row, in order. */
export const predictionsSchema = z.object({
  model: z.string(),
  version: z.number().int(),
  arm: z.string().optional(),
  ms: z.number(),
  predictions: z.array(z.object({ id, prediction: label, probabilities: probabilities.optional(), abstained: abstained.optional(), reason: reason.optional(), notes: notes.optional(), score: score.optional(), points: points.optional(), reasons: reasons.optional(), explanation: z.union([explanation, ruleExplanation]).optional() })).describe('One per row, in order'),
});

export const predictAnswerSchema = z.union([predictionSchema, predictionsSchema]);

const TYPES = ['numeric', 'binary', 'categorical', 'text', 'datetime', 'id', 'constant'] as const;
/** What a model takes and gives: its signature, and one row as a JSON Schema. */
export const modelSchemaSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  inputs: z.array(z.object({ name: z.string(), type: z.enum(TYPES).describe('The type at training') })),
  output: z.object({ name: z.string(), task: z.string(), labels: z.array(z.string()).optional() }),
  input_schema: z.record(z.string(), z.unknown()).describe('A JSON Schema of one row'),
});

export const feedbackResultSchema = z.object({ status: z.enum(['accepted', 'unknown id', 'invalid']), field: z.string().optional(), problem: z.string().optional() });
export const feedbackAnswerSchema = z.object({ accepted: z.number().int(), results: z.array(feedbackResultSchema).describe('One per item, in order') });

export const inferResponseSchema = z.object({ model_name: z.string(), model_version: z.string().optional(), id: z.string().optional(), outputs: z.array(tensorSchema) });
const tensorMetadata = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) });
export const modelMetadataSchema = z.object({ name: z.string(), versions: z.array(z.string()), platform: z.string(), inputs: z.array(tensorMetadata), outputs: z.array(tensorMetadata) });
export const mlflowResponseSchema = z.object({ predictions: z.array(z.unknown()).describe("The value, or `{prediction, <label>: probability…, id}` for a classifier (with `abstained: true, reason` where a deployment's abstain-below threshold was not reached)") });

const problemSchema = z.object({
  field: z.string().describe('The field (or `rows[i].field`, `inputs[i]`, …) that is wrong'),
  problem: z.string(),
  expected: z.string(),
  row: z.number().int().optional().describe('The row, in a batch'),
});
/** Every error answer. */
export const errorSchema = z.object({ error: z.string().describe('The kind, e.g. `invalid input`, `unknown model`, `unauthorized`'), message: z.string(), problems: z.array(problemSchema).optional() });

export const liveSchema = z.object({ live: z.boolean() });
export const readySchema = z.object({ ready: z.boolean() });
export const modelReadySchema = z.object({ name: z.string(), ready: z.boolean() });
export const healthSchema = z.object({ status: z.literal('ok') });
/** A served reference's state (the details of /readyz and /v1/admin/reload). */
const servedStatus = z.object({ ref: z.string(), model: z.string().nullable(), version: z.number().int().nullable(), loadedAt: z.number().nullable().describe('Epoch milliseconds'), error: z.string().nullable().describe('The last load error; the previous version keeps serving') });
export const readinessSchema = z.object({
  ready: z.boolean(),
  draining: z.boolean().optional(),
  models: z.array(servedStatus).optional().describe('With an admin key'),
  deployments: z.array(z.object({ deployment: z.string(), error: z.string() })).optional(),
  predictionLog: z.record(z.string(), z.unknown()).optional(),
});
export const reloadAnswerSchema = z.object({ models: z.array(servedStatus) });
export const deploymentAnswerSchema = z.object({ deployment: z.string(), policy: z.record(z.string(), z.unknown()) });
const auditEntry = z.object({ id: z.number().int(), at: z.number().int().describe('Epoch milliseconds'), actor: z.string(), action: z.string(), target: z.string(), before: z.unknown(), after: z.unknown() });
export const auditAnswerSchema = z.object({ entries: z.array(auditEntry).describe('Newest first') });
export const metricsSchema = z.string().describe('Prometheus text');

/** An alias moved: from which version to which, when. */
export const aliasMoveAnswerSchema = z.object({ model: z.string(), alias: z.string(), from: z.number().int().nullable(), to: z.number().int().nullable(), at: z.number().int() });
