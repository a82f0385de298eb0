/** Recognizes database errors by their Prisma code or, through driver adapters, the Postgres code. */
function codes(err: unknown): string[] {
  const e = err as {
    code?: string;
    meta?: { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } };
    cause?: { code?: string };
  };
  return [e?.code, e?.cause?.code, e?.meta?.driverAdapterError?.cause?.originalCode, e?.meta?.driverAdapterError?.cause?.kind].filter(
    (c): c is string => typeof c === "string",
  );
}

export const isUniqueViolation = (err: unknown) =>
  codes(err).some((c) => c === "P2002" || c === "23505" || c === "UniqueConstraintViolation");
export const isForeignKeyViolation = (err: unknown) =>
  codes(err).some((c) => c === "P2003" || c === "23503" || c === "ForeignKeyConstraintViolation");
export const isNotFound = (err: unknown) => codes(err).includes("P2025");
/** A statement Postgres cancelled: its statement_timeout ran out (or it was cancelled on purpose). */
export const isStatementCanceled = (err: unknown) => codes(err).includes("57014");
