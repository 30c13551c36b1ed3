/**
 * How full the model's context window will be with the shown conversation and the next answer,
 * before anything is sent. When a conversation outgrows the window, node-llama-cpp's context shift
 * (strategy `eraseFirstResponseAndKeepFirstSystem`) drops the oldest messages after the system
 * prompt from what the model reads, before answering and again whenever the answer fills the
 * window; the conversation itself keeps them.
 */
import { DEFAULT_SAMPLING, MAX_CONTEXT_SIZE, type GenerationStats, type Sampling } from '#shared/chat.ts';

/** Characters per token in typical English and French text with current tokenizers (an estimate). */
const CHARS_PER_TOKEN = 3.5;
/** The chat template's tokens around each message (ChatML: `<|im_start|>role\n … <|im_end|>\n`). */
const TEMPLATE_TOKENS_PER_MESSAGE = 5;
/** node-llama-cpp frees this share of the window when it shifts: history above the rest is cut before answering. */
const CONTEXT_SHIFT_SHARE = 0.1;
/** The room kept for the answer: its max tokens, at most this share of the window (a limit as large as the window says nothing about the conversation). */
const ANSWER_ROOM_MAX_SHARE = 0.25;

export interface ContextMessage {
  role: 'user' | 'assistant';
  content: string;
  stats: GenerationStats | null;
}

/**
 * Tokens the model reads for this path: an answer's own count where the engine reported it (the
 * tokens it generated), otherwise estimated from the text; plus the template around each message.
 */
export function estimateTokens(messages: readonly ContextMessage[], systemPrompt: string): number {
  let tokens = systemPrompt === '' ? 0 : estimateText(systemPrompt) + TEMPLATE_TOKENS_PER_MESSAGE;
  for (const message of messages) {
    if (message.content === '') continue;
    const counted = message.role === 'assistant' ? message.stats?.tokens : undefined;
    tokens += (counted !== undefined && counted > 0 ? counted : estimateText(message.content)) + TEMPLATE_TOKENS_PER_MESSAGE;
  }
  return tokens;
}

function estimateText(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * The window the engine will use for this model: the loaded context when this model is loaded
 * (node-llama-cpp may have chosen less than asked, when memory was short), else the conversation's
 * context size or MAX_CONTEXT_SIZE, capped by the model's trained context from its GGUF header.
 * null when the model's context length is unknown and the conversation sets none.
 */
export function expectedContextSize(modelContextLength: number | null, sampling: Sampling, loadedContextSize: number | null): number | null {
  const asked = sampling.contextSize ?? MAX_CONTEXT_SIZE;
  const planned = modelContextLength === null ? (sampling.contextSize ?? null) : Math.min(asked, modelContextLength);
  if (loadedContextSize === null) return planned;
  return planned === null ? loadedContextSize : Math.min(planned, loadedContextSize);
}

export type ContextUse =
  | { level: 'ok' }
  /** near: with an answer of up to `answerTokens`, the history would no longer fit; over: it no longer fits already. */
  | { level: 'near' | 'over'; tokens: number; contextSize: number; answerTokens: number };

export function contextUse(tokens: number, sampling: Sampling, contextSize: number | null): ContextUse {
  if (contextSize === null || contextSize <= 0) return { level: 'ok' };
  const answerTokens = Math.min(sampling.maxTokens ?? DEFAULT_SAMPLING.maxTokens, Math.floor(contextSize * ANSWER_ROOM_MAX_SHARE));
  const historyRoom = contextSize * (1 - CONTEXT_SHIFT_SHARE);
  if (tokens > historyRoom) return { level: 'over', tokens, contextSize, answerTokens };
  if (tokens + answerTokens > historyRoom) return { level: 'near', tokens, contextSize, answerTokens };
  return { level: 'ok' };
}
