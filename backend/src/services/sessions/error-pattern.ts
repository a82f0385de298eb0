const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TOKEN = /[A-Za-z0-9_-]{8,}/g;

/**
 * An error message with what varies from one occurrence to the next masked, so equal failures group:
 * UUIDs and tokens of 8 or more letters, digits, `_` or `-` that mix letters and digits become `<id>`,
 * then every number `<n>`; spaces collapse; at most 200 characters.
 */
export function errorPattern(message: string): string {
  return [
    ...message
      .replace(UUID, "<id>")
      .replace(TOKEN, (token) => (/\d/.test(token) && /[A-Za-z]/.test(token) ? "<id>" : token))
      .replace(/\d+(?:\.\d+)?/g, "<n>")
      .replace(/\s+/g, " ")
      .trim(),
  ]
    .slice(0, 200)
    .join("");
}
