/**
 * The files a user picked or dropped, each with its path inside the folder it came from: a
 * folder input (`webkitdirectory`) names it in `webkitRelativePath`; a dropped folder is walked
 * through the File and Directory Entries API (`webkitGetAsEntry`), which reads a folder's entries
 * in batches.
 */
import type { DocumentEntry } from '../../state/slices/documents.ts';

export function entriesOfInput(files: FileList): DocumentEntry[] {
  return Array.from(files, (file) => ({ file, path: file.webkitRelativePath === '' ? file.name : file.webkitRelativePath }));
}

export async function entriesOfDrop(transfer: DataTransfer): Promise<DocumentEntry[]> {
  // The entries must be taken before the first await: the drop's data is gone after its event.
  const roots = Array.from(transfer.items, (item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null));
  const loose = Array.from(transfer.files);
  if (roots.every((root) => root === null)) return loose.map((file) => ({ file, path: file.name }));
  const entries: DocumentEntry[] = [];
  for (const root of roots) if (root !== null) await walk(root, entries);
  return entries;
}

async function walk(entry: FileSystemEntry, into: DocumentEntry[]): Promise<void> {
  if (isFile(entry)) {
    const file = await new Promise<File>((resolve, reject) => entry.file(resolve, reject));
    into.push({ file, path: entry.fullPath.replace(/^\/+/, '') });
    return;
  }
  if (!isDirectory(entry)) return;
  const reader = entry.createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, into);
  }
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}
