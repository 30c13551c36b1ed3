import { describe, expect, test } from 'vitest';
import { isSystemFolder } from '../../../../electron/services/platform/system-folders.ts';

describe('system folders a pack export never writes into', () => {
  test.each([
    '/',
    '/etc',
    '/etc/ssh',
    '/usr/share/x',
    '/var',
    '/var/lib/dpkg',
    '/dev',
    '/dev/shm',
    '/proc/self',
    '/sys/kernel',
    '/boot',
    '/home',
    '/Users',
    '/media',
    '/System/Library',
    '/private/etc',
  ])('refuses %s', (path) => expect(isSystemFolder(path, 'linux')).toBe(true));

  test.each(['/tmp/pack', '/var/tmp/pack', '/home/ana/packs', '/media/ana/USB STICK', '/mnt/usb/enclave', '/Volumes/STICK', '/private/var/folders/x/T/pack', '/Users/ana/Desktop'])(
    'allows %s',
    (path) => expect(isSystemFolder(path, 'linux')).toBe(false),
  );

  test('a relative path is never a folder of the user’s', () => {
    expect(isSystemFolder('packs', 'linux')).toBe(true);
  });

  test('on Windows: the system folders from the environment, any case; a USB stick or a user folder is fine', () => {
    const env = { SystemRoot: 'C:\\Windows', ProgramFiles: 'C:\\Program Files', 'ProgramFiles(x86)': 'C:\\Program Files (x86)', ProgramData: 'C:\\ProgramData' };
    for (const path of ['C:\\Windows', 'c:\\windows\\System32', 'C:\\Program Files\\Enclave', 'C:\\ProgramData\\x']) expect(isSystemFolder(path, 'win32', env), path).toBe(true);
    for (const path of ['E:\\', 'E:\\enclave-pack', 'C:\\Users\\ana\\Documents\\pack', 'C:\\WindowsApps-not-really']) expect(isSystemFolder(path, 'win32', env), path).toBe(false);
  });
});
