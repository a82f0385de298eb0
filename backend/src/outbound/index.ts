import type { OutboundConfig } from "../config";
import { type LookupAll, UrlGuard } from "./url-guard";

export { UrlGuard, OutboundUrlError, type LookupAll, type OutboundUrlErrorReason } from "./url-guard";
export {
  guardedRequest,
  readLimited,
  BodyTooLargeError,
  OutboundTimeoutError,
  type OutboundRequest,
  type OutboundResponse,
} from "./guarded-request";

/** The guard every outbound request goes through, under the TRACIRA_ALLOW_PRIVATE_URLS policy (`config.outbound`). */
export function createUrlGuard(policy: OutboundConfig, lookupAll?: LookupAll): UrlGuard {
  return new UrlGuard(policy, lookupAll);
}
