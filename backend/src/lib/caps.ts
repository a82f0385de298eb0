import { ApiError } from "./api-error";

/**
 * Refuses one more of something a workspace already has `count` of, when that reaches the deployment's
 * cap (`setting` names the environment variable that raises it; `fix` says what the caller can do).
 */
export function assertUnderCap(count: number, cap: number, what: string, setting: string, fix: string): void {
  if (count < cap) return;
  throw ApiError.conflict(`This workspace has ${count} ${what}, the most this server allows (${setting}=${cap}): ${fix}.`);
}
