/** Saves an exported file through the browser's download (the desktop app asks where to save it). */
import type { ExportedFile } from '#shared/conversations.ts';

export function saveFile(file: ExportedFile): void {
  const blob =
    file.encoding === 'base64'
      ? new Blob([Uint8Array.from(atob(file.content), (char) => char.charCodeAt(0))], { type: file.mimeType })
      : new Blob([file.content], { type: `${file.mimeType};charset=utf-8` });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
