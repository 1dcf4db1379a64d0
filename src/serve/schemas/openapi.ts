import { z } from 'zod';
import { DEFAULT_MAX_ROWS, ROW_DOC, aliasMoveBodySchema, auditQuerySchema, batchSchemaOf, deploymentBodySchema, feedbackItemSchema, feedbackListOf, inferRequestSchema, mlflowRequestSchema, rowSchema } from './requests.js';
import * as answers from './responses.js';

/** Component metadata: the name it is published under, and what it is. */
interface Named {
  id: string;
  description?: string;
}

/** A reference to a component of the OpenAPI document. */
export const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

/**
 * The OpenAPI document's named schemas (components.schemas), generated from the zod schemas the routes
 * validate with (requests) and the answers' zod schemas. `maxRows`: the server's row limit, so that the
 * published PredictRequest says the limit that server enforces.
 */
export function componentSchemas(maxRows = DEFAULT_MAX_ROWS): Record<string, object> {
  const registry = z.registry<Named>();
  const name = <T extends z.ZodType>(schema: T, id: string, description?: string): T => {
    registry.add(schema, description === undefined ? { id } : { id, description });
    return schema;
  };
  const row = name(rowSchema, 'Row');
  const batch = batchSchemaOf(row, maxRows);
  name(z.union([row, batch]), 'PredictRequest', 'One row, or a batch `{rows}`');
  const prediction = name(answers.predictionSchema, 'Prediction', 'The answer for one row');
  const predictions = name(answers.predictionsSchema, 'Predictions', 'The answer for `{rows}`: one prediction per row, in order');
  name(z.union([prediction, predictions]), 'PredictAnswer', 'A `Prediction` for one row, `Predictions` for `{rows}`');
  name(answers.modelSchemaSchema, 'ModelSchema', 'What a model takes and gives: its signature, and one row as a JSON Schema');
  const item = name(feedbackItemSchema, 'FeedbackItem', 'The prediction id, and the true label or value (at most 4096 bytes as JSON) or `{reward: 0..1}`');
  name(z.union([item, feedbackListOf(item), z.object({ feedback: feedbackListOf(item) })]), 'FeedbackRequest', 'One item, a list of at most 1000, or `{feedback: [...]}`');
  name(answers.feedbackResultSchema, 'FeedbackResult');
  name(answers.feedbackAnswerSchema, 'FeedbackAnswer');
  name(inferRequestSchema, 'InferRequest');
  name(answers.inferResponseSchema, 'InferResponse');
  name(answers.modelMetadataSchema, 'ModelMetadata');
  name(mlflowRequestSchema, 'MlflowRequest', '`{dataframe_split: {columns, data}}` or `{dataframe_records: [...]}`');
  name(answers.mlflowResponseSchema, 'MlflowResponse');
  name(answers.errorSchema, 'Error', 'Every error answer');
  name(deploymentBodySchema, 'DeploymentRequest', 'A traffic policy, checked by the schema `hyperplane deploy` uses');
  name(answers.deploymentAnswerSchema, 'DeploymentAnswer');
  name(aliasMoveBodySchema, 'AliasMoveRequest', 'The version to point the alias at, and the version it pointed at when the move was confirmed (null: nowhere)');
  name(answers.aliasMoveAnswerSchema, 'AliasMove');
  name(answers.auditAnswerSchema, 'AuditAnswer');
  name(answers.liveSchema, 'Live');
  name(answers.readySchema, 'Ready');
  name(answers.modelReadySchema, 'ModelReady');
  name(answers.healthSchema, 'Health');
  name(answers.readinessSchema, 'Readiness', '`{ready}` for anyone; with an admin key, also what is served and its errors');
  name(answers.reloadAnswerSchema, 'ReloadAnswer');
  name(answers.metricsSchema, 'Metrics');
  // io 'input': what a client sends (the audit query's numbers arrive as text); the answers have no transforms.
  const { schemas } = z.toJSONSchema(registry, { target: 'openapi-3.0', io: 'input', uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' });
  const out: Record<string, object> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // OpenAPI 3.0 has no $id; a row's fields are per model, so the Row component says what a row is.
    const { $id: _id, ...rest } = schema as Record<string, unknown>;
    out[id] = id === 'Row' ? { ...rest, ...ROW_DOC } : rest;
  }
  return out;
}

/** `GET /v1/admin/audit`'s query parameters as the document's querystring schema (Fastify's swagger lists each property as a parameter). */
export const auditQueryDoc = (): object => {
  const { $schema: _s, ...schema } = z.toJSONSchema(auditQuerySchema, { target: 'openapi-3.0', io: 'input' }) as Record<string, unknown>;
  return schema;
};
