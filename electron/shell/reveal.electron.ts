/** Shows a model's file in the system's file manager (Finder, Explorer, Files): "Show in folder". */
import { shell } from 'electron';

export function showItemInFolder(path: string): Promise<void> {
  shell.showItemInFolder(path);
  return Promise.resolve();
}
