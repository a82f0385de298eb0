/** Limits that are part of the public contract. */
export const LIMITS = {
  outputChars: 50_000,
  projectNameChars: 200,
  taskNameChars: 200,
  shortFieldChars: 200,
  inputChars: 200_000,
  inputParts: 100,
  tags: 50,
  tagChars: 100,
  metadataJsonChars: 32_000,
  urlChars: 2_048,
  attachments: 10,
  attachmentBytes: 10 * 1024 * 1024,
  pageSizeMax: 100,
  pageSizeDefault: 50,
  bulkIds: 500,
  queryChars: 200,
  ruleNameChars: 200,
  ruleDescriptionChars: 2_000,
  ruleValueChars: 10_000,
  secretChars: 500,
  /** Token rotations per workspace per hour. */
  tokenRotationsPerHour: 5,
  /** Spans one request may carry (POST /api/logs, POST /api/logs/:id/spans). */
  spansPerRequest: 1_000,
  /** A span's input, output or error is cut past this many bytes of JSON (with a marker saying so). */
  spanPayloadBytes: 256 * 1024,
  /** How deeply objects/arrays may nest in a request (metadata, a JSON output, input parts). */
  jsonDepth: 64,
} as const;
