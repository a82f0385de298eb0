/** The value lists shared with the backend (rule types, statuses…), read from the shared package's source. */
import { HOOK_EVENTS, type HookEvent } from "../../shared/src/enums";

export * from "../../shared/src/enums";
export { MODEL_PRESETS } from "../../shared/src/models";

export const isHookEvent = (value: string): value is HookEvent => HOOK_EVENTS.some((event) => event === value);
