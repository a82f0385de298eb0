import { ApiError } from "../lib/api-error";
import { OutboundUrlError, type UrlGuard } from "../outbound";

/** The write-time guard check as an API answer: a refused URL is a 400 naming the field. */
export async function checkOutboundUrl(guard: UrlGuard, url: string, field: string): Promise<void> {
  try {
    await guard.check(url, field);
  } catch (err) {
    if (err instanceof OutboundUrlError) throw ApiError.invalid(err.message, { [field]: err.message });
    throw err;
  }
}
