import { z } from 'zod';

export const SCHEMA_TYPES = ['numeric', 'binary', 'categorical', 'text', 'datetime', 'id', 'constant'] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];

/** One column's type, with the reason a person can read and check. */
export interface ColumnSchema {
  name: string;
  type: SchemaType;
  reason: string;
}

export interface Schema {
  version: 1;
  columns: ColumnSchema[];
}

/** Id and constant columns carry no signal a model should learn from. */
export function isFeatureType(type: SchemaType): boolean {
  return type !== 'id' && type !== 'constant';
}

/** The file a user edits and passes back with --schema. Unknown keys are refused so typos surface. */
export const schemaFileSchema = z
  .object({
    version: z.literal(1),
    columns: z.array(
      z
        .object({
          name: z.string().min(1),
          type: z.enum(SCHEMA_TYPES),
          reason: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();
