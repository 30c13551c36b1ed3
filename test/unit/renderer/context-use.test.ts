import { describe, expect, it } from 'vitest';
import { MAX_CONTEXT_SIZE, type GenerationStats } from '#shared/chat.ts';
import { contextUse, estimateTokens, expectedContextSize, type ContextMessage } from '../../../renderer/src/features/chat/context-use.ts';

const question = (content: string): ContextMessage => ({ role: 'user', content, stats: null });
const answer = (content: string, tokens: number | null): ContextMessage => ({
  role: 'assistant',
  content,
  stats: tokens === null ? null : ({ tokens } as GenerationStats),
});

describe('estimateTokens', () => {
  it('estimates text at 3.5 characters a token, plus the template around each message', () => {
    expect(estimateTokens([question('x'.repeat(700)), question('y'.repeat(700))], 'z'.repeat(350))).toBe(100 + 5 + 200 + 5 + 200 + 5);
    expect(estimateTokens([], '')).toBe(0);
  });

  it("uses an answer's own token count when the engine reported it", () => {
    expect(estimateTokens([question('x'.repeat(35)), answer('y'.repeat(3500), 120)], '')).toBe(10 + 5 + 120 + 5);
    expect(estimateTokens([answer('y'.repeat(35), null)], '')).toBe(10 + 5);
    // An empty answer (failed before any text) is not sent to the model.
    expect(estimateTokens([answer('', null)], '')).toBe(0);
  });
});

describe('expectedContextSize', () => {
  it("before loading: the model's trained context from its header, at most the engine's maximum", () => {
    expect(expectedContextSize(4096, {}, null)).toBe(4096);
    expect(expectedContextSize(131_072, {}, null)).toBe(MAX_CONTEXT_SIZE);
    expect(expectedContextSize(null, {}, null)).toBeNull();
  });

  it("the conversation's context size, capped by the model's", () => {
    expect(expectedContextSize(131_072, { contextSize: 32_768 }, null)).toBe(32_768);
    expect(expectedContextSize(8192, { contextSize: 32_768 }, null)).toBe(8192);
    expect(expectedContextSize(null, { contextSize: 2048 }, null)).toBe(2048);
  });

  it('once loaded: the context the engine created, when memory allowed less', () => {
    expect(expectedContextSize(32_768, {}, 9000)).toBe(9000);
    expect(expectedContextSize(null, {}, 9000)).toBe(9000);
    expect(expectedContextSize(4096, {}, 4096)).toBe(4096);
  });
});

describe('contextUse', () => {
  it("keeps room for the answer's max tokens, at most a quarter of the window, under the 90 % node-llama-cpp keeps", () => {
    // 16,384 window (14,745 kept before answering), default 4,096 max tokens: warned from 10,650 tokens of history.
    expect(contextUse(10_649, {}, 16_384)).toEqual({ level: 'ok' });
    expect(contextUse(10_650, {}, 16_384)).toEqual({ level: 'near', tokens: 10_650, contextSize: 16_384, answerTokens: 4096 });
    // A conversation that allows short answers only is warned later.
    expect(contextUse(14_000, { maxTokens: 512 }, 16_384)).toEqual({ level: 'ok' });
    expect(contextUse(14_300, { maxTokens: 512 }, 16_384)).toMatchObject({ level: 'near', answerTokens: 512 });
    // A 4,096-token window with the default max tokens keeps a quarter, 1,024.
    expect(contextUse(2600, {}, 4096)).toEqual({ level: 'ok' });
    expect(contextUse(2700, {}, 4096)).toMatchObject({ level: 'near', answerTokens: 1024 });
  });

  it('says when the history alone passes what node-llama-cpp keeps before answering (90 % of the window)', () => {
    expect(contextUse(3686, {}, 4096)).toMatchObject({ level: 'near' });
    expect(contextUse(3687, {}, 4096)).toEqual({ level: 'over', tokens: 3687, contextSize: 4096, answerTokens: 1024 });
    expect(contextUse(50_000, {}, null)).toEqual({ level: 'ok' });
  });
});
