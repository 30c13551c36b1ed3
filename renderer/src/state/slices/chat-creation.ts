/**
 * The one creation of the new conversation in flight. Saving its settings creates it, and so does
 * its first question (`chat.generate` without an id); whichever starts second waits for the
 * first and works in the conversation it made, so a quick send after saving the settings (or the
 * reverse) never makes a second conversation.
 */
export interface ConversationCreation {
  /**
   * The new conversation's id once created (null when it could not be); null itself when none was
   * started since the last `forget`. The same promise until then, so a caller can tell whether the
   * conversation it waited for is still the open one.
   */
  pending(): Promise<string | null> | null;
  /** Records `work` as the new conversation's creation and returns it. */
  track<T>(work: Promise<T>, idOf: (result: T) => string | null): Promise<T>;
  /** The new conversation was left: what comes next starts afresh. */
  forget(): void;
}

export function createConversationCreation(): ConversationCreation {
  let current: Promise<string | null> | null = null;
  return {
    pending: () => current,
    track(work, idOf) {
      current = work.then(idOf, () => null);
      return work;
    },
    forget() {
      current = null;
    },
  };
}
