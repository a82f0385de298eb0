import { ErrorBody } from "@tracira/shared";
import { z } from "zod";
import type { RouteDef } from "./route";

type JsonSchema = Record<string, unknown>;

/**
 * Builds the OpenAPI 3.1 document from the route definitions, so the published contract is the one
 * the server validates against.
 */
export function buildOpenApi(routes: RouteDef[], version: string): JsonSchema {
  const components: Record<string, JsonSchema> = {};

  const convert = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
    const json = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
    const suffix = io === "input" ? "Input" : "";
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    delete json.$schema;
    const relink = (value: JsonSchema) =>
      JSON.parse(JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, `"#/components/schemas/$1${suffix}"`)) as JsonSchema;
    for (const [id, def] of Object.entries(defs)) components[`${id}${suffix}`] = relink(def);
    return relink(json);
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/[:*](\w+)/g, "{$1}");
    const parameters = [...parametersOf(route.params, "path", convert), ...parametersOf(route.query, "query", convert)];
    const status = String(route.status ?? 200);
    (paths[path] ??= {})[route.method] = {
      summary: route.summary,
      tags: [route.tag],
      ...(route.auth === "public" ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: convert(route.body, "input") } } } } : {}),
      ...(route.binary
        ? {
            requestBody: {
              required: true,
              content: {
                "application/json": { schema: convert(route.binary.schema, "input") },
                ...Object.fromEntries(route.binary.contentTypes.map((type) => [type, { schema: { type: "string", format: "binary" } }])),
              },
            },
          }
        : {}),
      responses: {
        [status]: {
          description: "Success",
          content: { [route.responseType ?? "application/json"]: { schema: convert(route.response, "output") } },
        },
        default: { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
      },
    };
  }
  components.Error = convert(ErrorBody, "output");
  return {
    openapi: "3.1.0",
    info: { title: "Tracira API", version, description: "Checks AI outputs from no-code workflows." },
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "Workspace webhook token (wh-…)" } },
    },
  };
}

function parametersOf(
  schema: z.ZodType | undefined,
  location: "path" | "query",
  convert: (s: z.ZodType, io: "input" | "output") => JsonSchema,
) {
  if (!schema) return [];
  const json = convert(schema, "input");
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, prop]) => ({
    name,
    in: location,
    required: location === "path" || required.has(name),
    schema: prop,
    ...(typeof prop.description === "string" ? { description: prop.description } : {}),
  }));
}
