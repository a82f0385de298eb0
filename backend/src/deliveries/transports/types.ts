import type { ClaimedDelivery } from "../store";

/** What one attempt came to, as the sender needs it to decide what happens next. */
export interface SendOutcome {
  ok: boolean;
  responseStatus: number | null;
  /** Why it failed, in words a builder can act on (stored as the attempt's error). */
  error: string | null;
  /** Worth trying again later (network, timeout, 5xx, 429). */
  retryable: boolean;
  /** The receiver's `Retry-After`, in ms. */
  retryAfterMs?: number;
  /** `410 Gone`: the receiver asks never to be called again. */
  gone?: boolean;
}

/** Sends one delivery of one kind. */
export interface Transport {
  send(delivery: ClaimedDelivery, signal: AbortSignal): Promise<SendOutcome>;
}
