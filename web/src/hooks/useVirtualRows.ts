import { useCallback, useLayoutEffect, useRef, useState } from "react";

/**
 * Rows of one fixed height in a scrolling box: only those in view (and `overscan` on each side) are
 * rendered, so a list of thousands costs what a screenful does. The box is `viewportRef`'s element.
 */
export function useVirtualRows<E extends HTMLElement>(count: number, rowHeight: number, overscan = 10) {
  const viewportRef = useRef<E>(null);
  const [view, setView] = useState({ top: 0, height: 0 });

  useLayoutEffect(() => {
    const box = viewportRef.current;
    if (!box) return;
    const measure = () => setView({ top: box.scrollTop, height: box.clientHeight });
    measure();
    box.addEventListener("scroll", measure, { passive: true });
    const resized = new ResizeObserver(measure);
    resized.observe(box);
    return () => {
      box.removeEventListener("scroll", measure);
      resized.disconnect();
    };
  }, []);

  const start = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((view.top + view.height) / rowHeight) + overscan);

  /** Scrolls the least needed to show row `index` whole. */
  const scrollToRow = useCallback(
    (index: number) => {
      const box = viewportRef.current;
      if (!box) return;
      const rowTop = index * rowHeight;
      if (rowTop < box.scrollTop) box.scrollTop = rowTop;
      else if (rowTop + rowHeight > box.scrollTop + box.clientHeight) box.scrollTop = rowTop + rowHeight - box.clientHeight;
    },
    [rowHeight],
  );

  return { viewportRef, start, end, totalHeight: count * rowHeight, scrollToRow };
}
