/**
 * Local file paths from a drop. A file manager puts file:// links in `text/uri-list` (anything
 * but a local file:// URL is ignored); a browser gives no path otherwise, while the desktop app's
 * preload can name each dropped file's path (`pathForFile`, Electron's webUtils).
 */
export function droppedPaths(uriList: string): string[] {
  const paths: string[] = [];
  for (const line of uriList.split(/\r?\n/)) {
    const entry = line.trim();
    if (entry === '' || entry.startsWith('#')) continue;
    const url = URL.parse(entry);
    if (url === null || url.protocol !== 'file:' || (url.host !== '' && url.host !== 'localhost')) continue;
    const path = decodeURIComponent(url.pathname);
    // file:///C:/models/x.gguf is C:/models/x.gguf on Windows.
    paths.push(/^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path);
  }
  return paths;
}

/** The paths a drop carries: its file:// links, else each dropped file's own path where the app can tell it. */
export function pathsFromDrop<F>(drop: { uriList: string; files: readonly F[] }, pathForFile: ((file: F) => string) | undefined): string[] {
  const linked = droppedPaths(drop.uriList);
  if (linked.length > 0 || pathForFile === undefined) return linked;
  return [...new Set(drop.files.map((file) => pathForFile(file)).filter((path) => path !== ''))];
}
