import { afterEach, describe, expect, it, vi } from 'vitest';
import { TextBatcher } from '../../../electron/engine/process/text-batcher.ts';

describe('TextBatcher', () => {
  afterEach(() => vi.useRealTimers());

  it('sends the first text at once, then one message per interval however many chunks arrive', () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    const batcher = new TextBatcher((text) => sent.push(text), 16);
    for (const chunk of ['Bon', 'jour', ' ', 'le', ' monde']) batcher.push(chunk);
    expect(sent).toEqual(['Bon']);
    vi.advanceTimersByTime(16);
    expect(sent).toEqual(['Bon', 'jour le monde']);
    batcher.push('!');
    vi.advanceTimersByTime(15);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['Bon', 'jour le monde', '!']);
  });

  it('flushes what is pending at once and ignores empty chunks', () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    const batcher = new TextBatcher((text) => sent.push(text), 16);
    batcher.push('');
    batcher.flush();
    expect(sent).toEqual([]);
    batcher.push('fin');
    batcher.push('al');
    batcher.flush();
    vi.advanceTimersByTime(100);
    expect(sent).toEqual(['fin', 'al']);
  });

  it('keeps the reasoning and the answer apart and in order', () => {
    vi.useFakeTimers();
    const sent: [string, string][] = [];
    const batcher = new TextBatcher((text, kind) => sent.push([kind, text]), 16);
    for (const chunk of ['Let', ' me', ' think']) batcher.push(chunk, 'thought');
    batcher.push('The', 'answer');
    batcher.push(' answer', 'answer');
    vi.advanceTimersByTime(16);
    expect(sent).toEqual([
      ['thought', 'Let'],
      ['thought', ' me think'],
      ['answer', 'The answer'],
    ]);
  });
});
