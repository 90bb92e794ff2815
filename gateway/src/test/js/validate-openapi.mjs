// Validates OpenAPI documents with @apidevtools/swagger-parser, a validator no one here wrote:
// the document against the OpenAPI 3.1 schema, then every $ref resolved.
// Usage: node validate-openapi.mjs <file>...; prints one JSON line per file:
// {"file": ..., "valid": true} or {"file": ..., "valid": false, "error": "..."}.
import SwaggerParser from "@apidevtools/swagger-parser";

for (const file of process.argv.slice(2)) {
  try {
    const api = await SwaggerParser.validate(file);
    console.log(JSON.stringify({ file, valid: true, openapi: api.openapi }));
  } catch (error) {
    console.log(JSON.stringify({ file, valid: false, error: String(error.message ?? error) }));
  }
}
