/** How full the model's context window is with the shown conversation, estimated from its text. */
import type { ConversationMessage } from '../../state/app-store.ts';

/** Characters per token in typical English and French text with current tokenizers (an estimate). */
const CHARS_PER_TOKEN = 3.5;
/** Warn from this share of the context window on. */
export const CONTEXT_WARNING_SHARE = 0.75;

export function estimateTokens(messages: readonly ConversationMessage[], systemPrompt: string): number {
  let chars = systemPrompt.length;
  for (const message of messages) chars += message.content.length;
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

export type ContextUse = { level: 'ok' } | { level: 'near' | 'over'; tokens: number; contextSize: number };

export function contextUse(tokens: number, contextSize: number | null): ContextUse {
  if (contextSize === null || contextSize <= 0 || tokens < contextSize * CONTEXT_WARNING_SHARE) return { level: 'ok' };
  return { level: tokens >= contextSize ? 'over' : 'near', tokens, contextSize };
}
