// The typed client's types (src/client/api.ts) from the server's OpenAPI document, by openapi-typescript.
// scripts/api-docs.mjs writes them; test/serve/client.test.ts checks the committed file is current.
import openapiTS, { astToString } from 'openapi-typescript';

/** The text of src/client/api.ts for an OpenAPI document. */
export async function clientTypes(document) {
  const ast = await openapiTS(JSON.parse(JSON.stringify(document)));
  return `// Generated from the server's OpenAPI document by scripts/api-docs.mjs (openapi-typescript): do not edit.\n// Run \`npm run build && npm run api-docs\` after changing a route or its schema.\n\n${astToString(ast)}`;
}
