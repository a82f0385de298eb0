import { useEffect, useRef } from "react";

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement);

const isActivatable = (target: EventTarget | null) => target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement;

/**
 * Document-wide single-key shortcuts (`event.key` → action). Ignored while typing in a field, with a
 * modifier held, and for Enter on a focused button or link (which Enter already activates).
 */
export function useShortcuts(bindings: Record<string, () => void>) {
  const latest = useRef(bindings);
  latest.current = bindings;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (event.key === "Enter" && isActivatable(event.target)) return;
      const action = latest.current[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
}
