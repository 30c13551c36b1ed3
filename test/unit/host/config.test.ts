import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, loadConfig } from '../../../electron/host/config.ts';

describe('config', () => {
  it('puts models inside the data folder unless told otherwise', () => {
    expect(loadConfig({ ENCLAVE_DATA_DIR: '/tmp/enclave-a' }, '/unused')).toEqual({ dataDir: '/tmp/enclave-a', modelsDir: '/tmp/enclave-a/models' });
    expect(loadConfig({ ENCLAVE_DATA_DIR: '/tmp/a', ENCLAVE_MODELS_DIR: '/mnt/usb/models' }, '/unused').modelsDir).toBe('/mnt/usb/models');
  });

  it('falls back to the OS data folder and ignores blank variables', () => {
    expect(loadConfig({ ENCLAVE_DATA_DIR: '  ' }, '/home/u/.config/Enclave').dataDir).toBe('/home/u/.config/Enclave');
    expect(loadConfig({ ENCLAVE_DATA_DIR: 'relative/dir' }, '/x').dataDir).toBe(resolve('relative/dir'));
  });

  it('follows each platform convention', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/xdg' })).toBe(join('/xdg', 'Enclave'));
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' })).toContain('Enclave');
    expect(defaultDataDir('darwin', {})).toContain(join('Library', 'Application Support', 'Enclave'));
  });
});
