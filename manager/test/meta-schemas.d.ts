/**
 * Both packages export their meta-schema at run time (index.js: `jsonSchema`, `openrpcDocument`),
 * but their index.d.ts declares only the TypeScript types of the documents those schemas describe;
 * front-openrpc.test.ts validates rpc.discover against the values, declared here as the JSON
 * objects they are.
 */
import "@json-schema-tools/meta-schema";
import "@open-rpc/meta-schema";

declare module "@json-schema-tools/meta-schema" {
  export const jsonSchema: Record<string, unknown>;
}

declare module "@open-rpc/meta-schema" {
  export const openrpcDocument: Record<string, unknown>;
}
