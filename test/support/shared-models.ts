/**
 * Real tiny models (see ../shared/models/README.md) live beside the checkout, in
 * `../shared/models`. A git worktree sits elsewhere: there, the main checkout's `../shared/models`
 * is looked at too. ENCLAVE_SHARED_MODELS names the folder outright. A fresh clone has none of
 * these: tests that need a shared model skip and say so.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** The main checkout of a git worktree (whose `.git` is a file naming its git dir), or null. */
function mainCheckout(): string | null {
  const dotGit = join(ROOT, '.git');
  try {
    if (!statSync(dotGit).isFile()) return null;
    const gitDir = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (gitDir === undefined) return null;
    const absoluteGitDir = resolve(ROOT, gitDir);
    const common = resolve(absoluteGitDir, readFileSync(join(absoluteGitDir, 'commondir'), 'utf8').trim());
    return dirname(common);
  } catch {
    return null;
  }
}

function candidates(): string[] {
  const fromEnv = process.env.ENCLAVE_SHARED_MODELS;
  const main = mainCheckout();
  return [...(fromEnv !== undefined && fromEnv !== '' ? [fromEnv] : []), join(ROOT, '..', 'shared', 'models'), ...(main === null ? [] : [join(main, '..', 'shared', 'models')])];
}

/** The path of a shared model file, or where it was looked for when absent (for the skip message). */
export function sharedModel(file: string): { path: string; found: boolean } {
  const paths = candidates().map((dir) => join(dir, file));
  const found = paths.find((path) => existsSync(path));
  return found === undefined ? { path: paths.join(' or '), found: false } : { path: found, found: true };
}
