import { z } from 'zod';

/**
 * A rules model's params: ordered conditions, the first that holds gives the prediction, `otherwise` when
 * none does. Binary: `then` is the probability of the positive class; regression: the value; multiclass: a
 * class label. Conditions are written in the expression language of features/expression.ts.
 */
export const rulesSchema = z
  .object({
    conditions: z
      .array(z.object({ if: z.string().min(1), then: z.union([z.number(), z.string()]) }).strict())
      .min(1)
      .describe("ordered conditions on the raw columns, e.g. { if: \"plan == 'gold' and age > 60\", then: 0.8 }; the first that holds gives the prediction"),
    otherwise: z.union([z.number(), z.string()]).describe('the prediction when no condition holds'),
  })
  .strict();
export type RulesSpec = z.infer<typeof rulesSchema>;
