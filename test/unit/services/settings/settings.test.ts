import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type SettingsView } from '#shared/settings.ts';
import { openSettings, SettingsService } from '../../../../electron/services/settings/settings.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'enclave-settings-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('settings on conf', () => {
  it('starts from the defaults and keeps changes across restarts', () => {
    const changes: SettingsView[] = [];
    const first = new SettingsService(openSettings(dataDir).backend, {}, (view) => changes.push(view));
    expect(first.view()).toEqual({ values: { ...DEFAULT_SETTINGS, offline: false }, locked: [] });
    first.update({ offline: true });
    expect(changes).toEqual([{ values: { ...DEFAULT_SETTINGS, offline: true }, locked: [] }]);
    const reopened = new SettingsService(openSettings(dataDir).backend, {}, () => undefined);
    expect(reopened.values.offline).toBe(true);
  });

  it('lets ENCLAVE_OFFLINE=1 force offline and refuses to change it', () => {
    const service = new SettingsService(openSettings(dataDir).backend, { ENCLAVE_OFFLINE: '1' }, () => undefined);
    expect(service.view()).toEqual({ values: { ...DEFAULT_SETTINGS, offline: true }, locked: ['offline'] });
    expect(() => service.update({ offline: false })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('lets ENCLAVE_API_PORT switch the local API on at that port, locked', () => {
    const service = new SettingsService(openSettings(dataDir).backend, { ENCLAVE_API_PORT: '8089' }, () => undefined);
    expect(service.values).toMatchObject({ apiEnabled: true, apiPort: 8089, apiKey: '' });
    expect(service.view().locked).toEqual(['apiEnabled', 'apiPort']);
    expect(() => service.update({ apiEnabled: false })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => new SettingsService(openSettings(dataDir).backend, { ENCLAVE_API_PORT: '80' }, () => undefined)).toThrow(/ENCLAVE_API_PORT/);
  });

  it('falls back to the default for a bad stored value', async () => {
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ offline: 'yes please' }));
    expect(new SettingsService(openSettings(dataDir).backend, {}, () => undefined).values.offline).toBe(false);
  });

  it('moves an unreadable file aside instead of wiping it', async () => {
    await writeFile(join(dataDir, 'settings.json'), '{ not json');
    const opened = openSettings(dataDir);
    expect(opened.movedAside).toMatch(/settings\.json\.corrupt-\d+$/);
    expect(await readFile(opened.movedAside as string, 'utf8')).toBe('{ not json');
    expect(new SettingsService(opened.backend, {}, () => undefined).values).toEqual({ ...DEFAULT_SETTINGS, offline: false });
    const files = await readdir(dataDir);
    expect(files).toContain('settings.json');
    expect(files.filter((file) => file.includes('.corrupt-'))).toHaveLength(1);
  });
});
