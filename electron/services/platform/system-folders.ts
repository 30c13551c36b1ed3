/**
 * Folders of the operating system that Enclave never writes into on the user's behalf (a model
 * pack export), even where the process could: running as root or as an administrator.
 */
import { isAbsolute, posix, win32 } from 'node:path';

const POSIX_SYSTEM_TREES = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/opt',
  '/proc',
  '/run',
  '/sbin',
  '/snap',
  '/srv',
  '/sys',
  '/usr',
  '/var/cache',
  '/var/db',
  '/var/lib',
  '/var/log',
  '/var/run',
  '/var/spool',
  // macOS
  '/Applications',
  '/Library',
  '/System',
  '/private/etc',
  '/private/var/db',
];
/** Roots that hold other people's folders, not a place to write into themselves. */
const POSIX_SYSTEM_ROOTS = ['/', '/home', '/Users', '/var', '/private', '/media', '/mnt', '/Volumes'];

/** Whether `path` (absolute, symbolic links resolved) is, or is inside, a system folder. */
export function isSystemFolder(path: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): boolean {
  if (platform === 'win32') {
    const folder = win32.resolve(path).toLowerCase().replace(/\\+$/, '');
    const trees = [env.SystemRoot ?? 'C:\\Windows', env.ProgramFiles ?? 'C:\\Program Files', env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)', env.ProgramData ?? 'C:\\ProgramData'];
    return trees.some((tree) => {
      const root = tree.toLowerCase().replace(/\\+$/, '');
      return folder === root || folder.startsWith(`${root}\\`);
    });
  }
  if (!isAbsolute(path)) return true;
  const folder = posix.resolve(path);
  if (POSIX_SYSTEM_ROOTS.includes(folder)) return true;
  return POSIX_SYSTEM_TREES.some((tree) => folder === tree || folder.startsWith(`${tree}/`));
}
