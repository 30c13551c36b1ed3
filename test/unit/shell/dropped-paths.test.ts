import { describe, expect, test } from 'vitest';
import { pathOfDroppedFile } from '../../../electron/shell/bridge.ts';
import { droppedPaths, pathsFromDrop } from '../../../renderer/src/features/library/dropped-paths.ts';

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

describe('paths from a drop', () => {
  const files = [new File(['a'], 'a.gguf'), new File(['b'], 'b.gguf'), new File(['c'], 'made-by-the-page.gguf')];
  // Stands for the preload's webUtils.getPathForFile: a real path for dropped files, '' for the rest.
  const pathOf = (file: File): string => (file.name === 'made-by-the-page.gguf' ? '' : `/media/usb/${file.name}`);

  test('the file manager’s links come first', () => {
    expect(pathsFromDrop({ uriList: 'file:///media/usb/models', files }, pathOf)).toEqual(['/media/usb/models']);
  });
  test('without links, the desktop app names each dropped file, skipping those without a path', () => {
    expect(pathsFromDrop({ uriList: '', files }, pathOf)).toEqual(['/media/usb/a.gguf', '/media/usb/b.gguf']);
  });
  test('a browser (no pathForFile) gets nothing from the files themselves', () => {
    expect(pathsFromDrop({ uriList: '', files }, undefined)).toEqual([]);
  });
});

describe('the preload’s path of a dropped file', () => {
  test('passes Electron’s answer through, and turns its refusal into no path', () => {
    const file = new File(['x'], 'x.gguf');
    expect(pathOfDroppedFile(file, () => '/home/a/x.gguf')).toBe('/home/a/x.gguf');
    expect(
      pathOfDroppedFile({ name: 'forged' }, () => {
        throw new TypeError('not a File');
      }),
    ).toBe('');
    expect(pathOfDroppedFile(file, () => undefined as unknown as string)).toBe('');
  });
});
