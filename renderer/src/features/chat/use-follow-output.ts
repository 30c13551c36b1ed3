import { useCallback, useEffect, useRef, useState } from 'react';

/** How close to the end, in pixels, still counts as "at the end". */
const AT_END = 24;

const KEYS_UP = new Set(['ArrowUp', 'PageUp', 'Home']);
const KEYS_DOWN = new Set(['ArrowDown', 'PageDown', 'End']);

/** What the reader last did to move the view, as far as it tells a direction. */
type Intent = 'up' | 'down' | 'drag' | null;

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
 * as long as the reader is at the end. Growth is seen by a ResizeObserver on the list and its
 * footer, so every change of height counts, whatever caused it.
 *
 * Only the reader's own gestures stop following (a wheel or key up, a drag of the scroll bar),
 * never a scroll event: the view also moves by itself (the browser clamping the position while the
 * list is re-measured), and a smooth wheel scroll takes several frames during which the view can
 * still be at the end. While following, a move away from the end that no gesture explains is
 * undone. Following starts again when the reader brings the view back to the end, or with `toEnd`.
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
    let intent: Intent = null;
    const atEnd = (): boolean => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= AT_END;
    const show = (): void => setAwayFromEnd(!following.current && !atEnd());
    const readerMoved = (direction: Intent): void => {
      intent = direction;
      if (direction !== 'down') following.current = false;
      show();
    };
    const onWheel = (event: WheelEvent): void => readerMoved(event.deltaY < 0 ? 'up' : 'down');
    const onKey = (event: KeyboardEvent): void => {
      if (KEYS_UP.has(event.key) || (event.key === ' ' && event.shiftKey)) readerMoved('up');
      else if (KEYS_DOWN.has(event.key) || event.key === ' ') readerMoved('down');
    };
    // A press on the scroller itself, not on its content, is a press on its scroll bar.
    const onPointerDown = (event: PointerEvent): void => {
      if (event.target === scroller) readerMoved('drag');
    };
    const onTouch = (): void => readerMoved('drag');
    // Focus moved into the list (Tab to a message's button) scrolls it into view: the reader's doing.
    const onFocus = (): void => readerMoved('drag');
    const onScroll = (): void => {
      if (following.current) {
        // Not the reader (their gestures come first and stop following): the list was re-measured
        // under the view, as when a finished answer replaces the one being written.
        if (!atEnd()) scrollToEnd(scroller);
      } else if (intent !== 'up' && intent !== null && atEnd()) following.current = true;
      show();
    };
    const onGrow = (): void => {
      if (following.current) scrollToEnd(scroller);
      else show();
    };
    const resize = new ResizeObserver(onGrow);
    // The list of messages and its footer (the answer being written), inside Virtuoso's viewport.
    const observeParts = (): void => {
      for (const viewport of scroller.children) for (const part of viewport.children) resize.observe(part);
    };
    observeParts();
    // Virtuoso adds and replaces these parts (the footer comes and goes); observe the new ones.
    const mutations = new MutationObserver(observeParts);
    mutations.observe(scroller, { childList: true, subtree: true });
    scroller.addEventListener('scroll', onScroll, { passive: true });
    scroller.addEventListener('wheel', onWheel, { passive: true });
    scroller.addEventListener('keydown', onKey);
    scroller.addEventListener('pointerdown', onPointerDown);
    scroller.addEventListener('touchmove', onTouch, { passive: true });
    scroller.addEventListener('focusin', onFocus);
    return () => {
      scroller.removeEventListener('focusin', onFocus);
      scroller.removeEventListener('scroll', onScroll);
      scroller.removeEventListener('wheel', onWheel);
      scroller.removeEventListener('keydown', onKey);
      scroller.removeEventListener('pointerdown', onPointerDown);
      scroller.removeEventListener('touchmove', onTouch);
      resize.disconnect();
      mutations.disconnect();
    };
  }, [scroller]);

  return { setScroller, awayFromEnd, toEnd };
}

function scrollToEnd(element: HTMLElement): void {
  element.scrollTop = element.scrollHeight;
}
