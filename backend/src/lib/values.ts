/** An ISO-8601 string of a timestamp as pg, PGlite or Prisma return it; null stays null. */
export const isoOrNull = (d: Date | string | null | undefined): string | null =>
  d === null || d === undefined ? null : new Date(d).toISOString();

/** A JSON column that holds an array, as an array (anything else as an empty one). */
export const asArray = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
