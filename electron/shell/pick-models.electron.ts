/** The desktop app's open dialog for imports: .gguf files, or a folder (a USB stick). */
import { BrowserWindow, dialog, type OpenDialogOptions } from 'electron';

export async function pickModelsWithDialog(kind: 'files' | 'folder'): Promise<string[]> {
  const options: OpenDialogOptions = kind === 'files' ? { properties: ['openFile', 'multiSelections'], filters: [{ name: 'GGUF', extensions: ['gguf'] }] } : { properties: ['openDirectory'] };
  const window = BrowserWindow.getFocusedWindow();
  const chosen = window === null ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(window, options);
  return chosen.canceled ? [] : chosen.filePaths;
}
