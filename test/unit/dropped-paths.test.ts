import { describe, expect, test } from 'vitest';
import { droppedPaths } from '../../renderer/src/features/library/dropped-paths.ts';

describe('dropped paths', () => {
  test('reads local file:// links, decoded, one per line, skipping comments', () => {
    expect(droppedPaths('# from the file manager\r\nfile:///media/usb/models/Qwen3%200.6B.gguf\r\nfile://localhost/home/a/b.gguf\n')).toEqual(['/media/usb/models/Qwen3 0.6B.gguf', '/home/a/b.gguf']);
  });
  test('a Windows drive path loses the leading slash', () => {
    expect(droppedPaths('file:///C:/Models/x.gguf')).toEqual(['C:/Models/x.gguf']);
  });
  test('ignores everything that is not a local file', () => {
    expect(droppedPaths('https://huggingface.co/x.gguf\nfile://server/share/x.gguf\njavascript:alert(1)\nnot a url\n')).toEqual([]);
    expect(droppedPaths('')).toEqual([]);
  });
});
