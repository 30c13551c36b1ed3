import type { KeyboardEvent } from 'react';

/** Enter (or Ctrl/Cmd+Enter) sends what a message box holds; Shift+Enter adds a line; Enter that ends an IME composition does neither. */
export function isSubmitKey(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
  return event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.nativeEvent.isComposing;
}
