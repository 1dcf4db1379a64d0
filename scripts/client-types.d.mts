/** The text of src/client/api.ts for an OpenAPI document (client-types.mjs). */
export function clientTypes(document: unknown): Promise<string>;
