import { useEffect, useRef } from "react";

/** Calls `apply(value)` once `value` has stopped changing for `delayMs`. */
export function useDebounced<T>(value: T, apply: (value: T) => void, delayMs = 300) {
  const latest = useRef(apply);
  latest.current = apply;
  useEffect(() => {
    const timer = window.setTimeout(() => latest.current(value), delayMs);
    return () => window.clearTimeout(timer);
  }, [value, delayMs]);
}
