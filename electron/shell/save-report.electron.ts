/** The desktop app's save dialog for comparison reports: the user chooses where the file goes. */
import { writeFile } from 'node:fs/promises';
import { BrowserWindow, dialog } from 'electron';

export async function saveReportWithDialog(file: { fileName: string; content: string }): Promise<string | null> {
  const extension = file.fileName.endsWith('.csv') ? 'csv' : 'html';
  const options = { defaultPath: file.fileName, filters: [{ name: extension.toUpperCase(), extensions: [extension] }] };
  const window = BrowserWindow.getFocusedWindow();
  const chosen = window === null ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(window, options);
  if (chosen.canceled || chosen.filePath === undefined) return null;
  await writeFile(chosen.filePath, file.content);
  return chosen.filePath;
}
