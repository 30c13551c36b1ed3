import { describe, expect, it } from 'vitest';
import { contextUse, estimateTokens } from '../../renderer/src/features/conversations/context-use.ts';
import type { ConversationMessage } from '../../renderer/src/state/app-store.ts';

const message = (content: string): ConversationMessage => ({ id: content, parentId: null, siblingIds: [content], role: 'user', content, modelId: null, stats: null, loadMs: null, state: 'done' });

describe('context use', () => {
  it('estimates tokens from the text of the path and the system prompt', () => {
    expect(estimateTokens([message('x'.repeat(700)), message('y'.repeat(700))], 'z'.repeat(350))).toBe(500);
  });

  it('warns from three quarters of the window, and says when it is exceeded', () => {
    expect(contextUse(700, 1000)).toEqual({ level: 'ok' });
    expect(contextUse(750, 1000)).toEqual({ level: 'near', tokens: 750, contextSize: 1000 });
    expect(contextUse(1200, 1000)).toEqual({ level: 'over', tokens: 1200, contextSize: 1000 });
    expect(contextUse(5000, null)).toEqual({ level: 'ok' });
  });
});
