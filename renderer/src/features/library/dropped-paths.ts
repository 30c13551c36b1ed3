/**
 * Local file paths from a drop's `text/uri-list` (file managers put file:// links there; a
 * browser gives no path otherwise). Anything but a local file:// URL is ignored.
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
