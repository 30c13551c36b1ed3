import { useCallback, useEffect, useRef, useState } from 'react';

/** How close to the end, in pixels, still counts as "at the end". */
const AT_END = 24;

export interface FollowOutput {
  /** Give it the scrolling element (Virtuoso's scrollerRef). */
  setScroller(element: HTMLElement | Window | null): void;
  /** True while the reader has scrolled away from the end. */
  awayFromEnd: boolean;
  /** Scrolls to the end and follows again. */
  toEnd(): void;
}

/**
 * Keeps the end of the conversation in view while it grows (a streaming answer, its statistics)
 * as long as the reader is at the end; a scroll up stops following, a scroll back to the end (or
 * `toEnd`) starts again. Growth is seen by a ResizeObserver on the list, so every change of height
 * counts, whatever caused it.
 */
export function useFollowOutput(): FollowOutput {
  const [scroller, setScrollerState] = useState<HTMLElement | null>(null);
  const [awayFromEnd, setAwayFromEnd] = useState(false);
  const following = useRef(true);

  const setScroller = useCallback((element: HTMLElement | Window | null) => setScrollerState(element instanceof HTMLElement ? element : null), []);

  const toEnd = useCallback(() => {
    following.current = true;
    setAwayFromEnd(false);
    if (scroller !== null) scrollToEnd(scroller);
  }, [scroller]);

  useEffect(() => {
    if (scroller === null) return;
    following.current = true;
    let lastTop = scroller.scrollTop;
    const distanceToEnd = (): number => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    const onScroll = (): void => {
      const top = scroller.scrollTop;
      // Only the reader moves the view up: growth below never lowers scrollTop.
      if (distanceToEnd() <= AT_END) following.current = true;
      else if (top < lastTop) following.current = false;
      lastTop = top;
      setAwayFromEnd(!following.current);
    };
    const onGrow = (): void => {
      if (following.current) scrollToEnd(scroller);
    };
    const resize = new ResizeObserver(onGrow);
    const observeList = (): void => {
      for (const child of scroller.querySelectorAll('[data-testid="virtuoso-item-list"]')) resize.observe(child);
    };
    observeList();
    // Virtuoso may replace its list element; observe the new one.
    const mutations = new MutationObserver(observeList);
    mutations.observe(scroller, { childList: true, subtree: false });
    scroller.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      scroller.removeEventListener('scroll', onScroll);
      resize.disconnect();
      mutations.disconnect();
    };
  }, [scroller]);

  return { setScroller, awayFromEnd, toEnd };
}

function scrollToEnd(element: HTMLElement): void {
  element.scrollTop = element.scrollHeight;
}
