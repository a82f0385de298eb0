import { z } from "zod";
import { LIMITS } from "../limits";

/** Building blocks for the contracts: each says in its error what the caller should send instead. */

const received = (input: unknown) =>
  input === null
    ? "null"
    : Array.isArray(input)
      ? "an array"
      : typeof input === "object"
        ? "an object"
        : typeof input === "number" && !Number.isFinite(input)
          ? "a non-finite number"
          : typeof input;

/** Text length as people count it, in Unicode code points (an emoji is one), as the README promises. */
export function codePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** A length cap in code points (`z.string().max` counts UTF-16 units); OpenAPI still shows it as `maxLength`. */
export const maxChars = (schema: z.ZodString, max: number, error: string): z.ZodString =>
  schema.refine((text) => codePoints(text) <= max, { error }).meta({ maxLength: max });

/** A required text field with trimming and a length cap. */
export const requiredText = (field: string, max: number, example: string) =>
  maxChars(
    z
      .string({
        error: (iss) =>
          iss.input === undefined ? `${field} is required, e.g. "${example}"` : `${field} must be text, not ${received(iss.input)}`,
      })
      .trim()
      .min(1, { error: `${field} must not be empty, e.g. "${example}"` }),
    max,
    `${field} must be at most ${max} characters`,
  );

export const optionalText = (field: string, max: number) =>
  unmapped(
    maxChars(
      z.string({ error: (iss) => `${field} must be text, not ${received(iss.input)}` }),
      max,
      `${field} must be at most ${max} characters`,
    ),
  );

/** An identifier builders may send as a number (e.g. a CRM record id); stored as text. */
export const contextId = (field: string) =>
  unmapped(
    z
      .union(
        [
          maxChars(z.string().trim(), LIMITS.shortFieldChars, `${field} must be at most ${LIMITS.shortFieldChars} characters`),
          z.number().finite(),
        ],
        {
          error: (iss) =>
            typeof iss.input === "string"
              ? `${field} must be at most ${LIMITS.shortFieldChars} characters`
              : `${field} must be text or a number, not ${received(iss.input)}`,
        },
      )
      .transform((v) => (typeof v === "number" ? String(v) : v)),
  );

/** No-code tools send `null` or `""` for an optional field left unmapped: both mean "not given". */
export const unmapped = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null || value === "" ? undefined : value), schema.optional());

/** Zapier and Make send numbers as text ("812.5"); such text is read as the number. */
const numericText = (value: unknown) =>
  typeof value === "string" && /^\s*-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value) ? Number(value) : value;

export const nonNegativeNumber = (field: string, max = Number.MAX_SAFE_INTEGER) =>
  unmapped(z.preprocess(numericText, nonNegativeNumberStrict(field, max)));

const nonNegativeNumberStrict = (field: string, max: number) =>
  z
    .number({
      error: (iss) =>
        typeof iss.input === "number" ? `${field} must be a finite number` : `${field} must be a number, not ${received(iss.input)}`,
    })
    .finite({ error: `${field} must be a finite number` })
    .min(0, { error: `${field} must be 0 or more` })
    .max(max, { error: `${field} must be at most ${max}` });

/** Accepts true/false and, for no-code tools that send text, "true"/"false". */
export const looseBoolean = (field: string) =>
  z
    .union([z.boolean(), z.enum(["true", "false", ""])], {
      error: () => `${field} must be true or false`,
    })
    .transform((v) => v === true || v === "true")
    .optional();

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** `Date` rolls 2024-02-30 over to March 1st: the day must exist in its month. */
const isCalendarDate = (text: string) => {
  const [year, month, day] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
};

/**
 * An ISO 8601 date or date-time. Without a zone it is read as UTC, so the same text means the same
 * instant whatever the server's time zone.
 */
export const isoDateTime = (field: string) =>
  z
    .string({ error: () => `${field} must be an ISO 8601 date-time text, e.g. "2024-11-15T10:30:00Z"` })
    .trim()
    .transform((text, ctx) => {
      // The zone is looked for after the date part only (the date's own "-15" is not an offset).
      const hasZone = text.length > 10 && /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(text.slice(10));
      const normalized = !ISO_DATE_TIME.test(text)
        ? ""
        : text.length === 10
          ? `${text}T00:00:00Z`
          : hasZone
            ? text.replace(" ", "T")
            : `${text.replace(" ", "T")}Z`;
      const date = new Date(normalized);
      if (
        !normalized ||
        Number.isNaN(date.getTime()) ||
        !isCalendarDate(text) ||
        date.getUTCFullYear() < 1970 ||
        date.getUTCFullYear() > 9999
      ) {
        ctx.addIssue({
          code: "custom",
          message: `${field} must be an ISO 8601 date-time, e.g. "2024-11-15T10:30:00Z" (got "${text.slice(0, 40)}")`,
        });
        return z.NEVER;
      }
      return date;
    });

/** An absolute http(s) URL. */
export const httpUrl = (field: string) =>
  z
    .string({ error: (iss) => `${field} must be a URL text, not ${received(iss.input)}` })
    .trim()
    .max(LIMITS.urlChars, { error: `${field} must be at most ${LIMITS.urlChars} characters` })
    .refine(
      (text) => {
        try {
          const url = new URL(text);
          return (url.protocol === "http:" || url.protocol === "https:") && url.hostname.length > 0;
        } catch {
          return false;
        }
      },
      { error: `${field} must be an absolute http:// or https:// URL` },
    );

export const enumOf = <const T extends readonly [string, ...string[]]>(field: string, values: T) =>
  z.enum(values, { error: () => `${field} must be one of: ${values.join(", ")}` });

/** Path parameter `:id`. */
export const IdParams = z.object({
  id: z.string().min(1).max(LIMITS.shortFieldChars, { error: "id is too long" }),
});
export const OkResponse = z.object({ ok: z.literal(true) });
export const SuccessResponse = z.object({ success: z.literal(true) });
