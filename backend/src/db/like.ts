/** `text` for a LIKE/ILIKE pattern: its `%`, `_` and backslashes match themselves, not as wildcards. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
