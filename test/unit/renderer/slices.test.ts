import { describe, expect, it } from 'vitest';
import type { DownloadJob } from '#shared/downloads.ts';
import { EnclaveError } from '#shared/errors.ts';
import type { HardwareInfo } from '#shared/hardware.ts';
import { DEFAULT_SETTINGS, type SettingsView } from '#shared/settings.ts';
import { createAppStore } from '../../../renderer/src/state/app-store.ts';
import { fakeTransport, tick } from './fake-transport.ts';

function startedStore() {
  const fake = fakeTransport();
  const store = createAppStore(fake.transport);
  store.actions.start();
  return { fake, store };
}

function view(values: Partial<SettingsView['values']> = {}): SettingsView {
  return { values: { ...DEFAULT_SETTINGS, ...values }, locked: [] };
}

function job(id: string, overrides: Partial<DownloadJob> = {}): DownloadJob {
  return {
    id,
    catalogId: null,
    quant: null,
    repo: 'org/repo',
    file: id,
    state: 'downloading',
    downloadedBytes: 0,
    totalBytes: 100,
    bytesPerSecond: 0,
    secondsLeft: null,
    attempt: 1,
    error: null,
    ...overrides,
  };
}

const hardware: HardwareInfo = {
  backend: 'cpu',
  engineBuild: 'prebuilt',
  gpuNames: [],
  totalRamBytes: 8e9,
  freeRamBytes: 4e9,
  totalVramBytes: 0,
  freeVramBytes: 0,
  unifiedMemoryBytes: 0,
  cpuCores: 4,
};

describe('settings slice', () => {
  it('reads the settings once for every page that asks, then follows settings.changed', async () => {
    const { fake, store } = startedStore();
    // Nothing is read before a page asks: a workshop participant may not read them.
    expect(fake.pending('settings.get')).toHaveLength(0);
    const first = store.actions.settings.load();
    const second = store.actions.settings.load();
    expect(fake.pending('settings.get')).toHaveLength(1);
    fake.answer('settings.get', view());
    await Promise.all([first, second]);
    expect(store.getState().settings.view?.values.offline).toBe(false);

    await store.actions.settings.load();
    expect(fake.pending('settings.get')).toHaveLength(0);
    fake.emit('settings.changed', view({ offline: true }));
    expect(store.getState().settings.view?.values.offline).toBe(true);
  });

  it('hands a failed first read to the page that asked, and reads again on the next ask', async () => {
    const { fake, store } = startedStore();
    const first = store.actions.settings.load();
    fake.fail('settings.get', new EnclaveError('FORBIDDEN', 'not for participants'));
    await expect(first).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(store.getState().error.shown).toBeNull();

    const again = store.actions.settings.load();
    fake.answer('settings.get', view());
    await again;
    expect(store.getState().settings.view).not.toBeNull();
  });

  it('shows a change at once when asked, and puts the saved values back when the host refuses it', async () => {
    const { fake, store } = startedStore();
    const loading = store.actions.settings.load();
    fake.answer('settings.get', view());
    await loading;

    const saving = store.actions.settings.update({ apiEnabled: true }, { showAtOnce: true });
    expect(store.getState().settings.view?.values.apiEnabled).toBe(true);
    fake.fail('settings.update', new EnclaveError('BAD_REQUEST', 'refused'));
    await tick();
    fake.answer('settings.get', view());
    await expect(saving).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(store.getState().settings.view?.values.apiEnabled).toBe(false);
  });

  it('otherwise shows a change once the host has saved it', async () => {
    const { fake, store } = startedStore();
    const loading = store.actions.settings.load();
    fake.answer('settings.get', view());
    await loading;

    const saving = store.actions.settings.update({ proxy: 'http://127.0.0.1:3128' });
    expect(store.getState().settings.view?.values.proxy).toBe('');
    fake.answer('settings.update', view({ proxy: 'http://127.0.0.1:3128' }));
    await saving;
    expect(store.getState().settings.view?.values.proxy).toBe('http://127.0.0.1:3128');
  });

  it('reads the settings again when the link comes back, if they had been read', async () => {
    const { fake, store } = startedStore();
    fake.setConnection('closed');
    fake.setConnection('open');
    expect(fake.pending('settings.get')).toHaveLength(0);

    const loading = store.actions.settings.load();
    fake.answer('settings.get', view());
    await loading;
    fake.setConnection('closed');
    fake.setConnection('open');
    fake.answer('settings.get', view({ offline: true }));
    await tick();
    expect(store.getState().settings.view?.values.offline).toBe(true);
  });
});

describe('library slice', () => {
  it('follows download jobs from the start, and keeps an event newer than the listed job', async () => {
    const { fake, store } = startedStore();
    fake.emit('downloads.progress', job('a.gguf', { downloadedBytes: 60 }));
    expect(store.getState().library.downloads['a.gguf']?.downloadedBytes).toBe(60);

    const loading = store.actions.library.load();
    fake.answer('catalog.list', []);
    fake.answer('downloads.list', [job('a.gguf', { downloadedBytes: 10 }), job('b.gguf')]);
    await tick();
    expect(store.getState().library.catalog).toEqual([]);
    expect(Object.keys(store.getState().library.downloads).sort()).toEqual(['a.gguf', 'b.gguf']);
    expect(store.getState().library.downloads['a.gguf']?.downloadedBytes).toBe(60);
    expect(store.getState().library.hardware).toBeNull();
    fake.answer('hardware.info', hardware);
    await loading;
    expect(store.getState().library.hardware).toEqual(hardware);
  });

  it('checks the fit model by model, one check at a time, and stops after the model being read', async () => {
    const { fake, store } = startedStore();
    const checking = store.actions.library.checkFit(['m1', 'm2', 'm3']);
    expect(store.getState().library.fitCheck).toEqual({ done: 0, total: 3 });
    void store.actions.library.checkFit(['m1']);
    expect(fake.pending('catalog.fit').map((call) => call.input)).toEqual([{ catalogIds: ['m1'] }]);

    fake.answer('catalog.fit', [{ catalogId: 'm1', quants: [], error: null }]);
    await tick();
    expect(store.getState().library.fitCheck).toEqual({ done: 1, total: 3 });
    store.actions.library.cancelFit();
    expect(store.getState().library.fitCheck).toBeNull();
    fake.answer('catalog.fit', [{ catalogId: 'm2', quants: [], error: null }]);
    await checking;
    expect(Object.keys(store.getState().library.fits)).toEqual(['m1']);
    expect(fake.pending('catalog.fit')).toHaveLength(0);
  });
});

describe('compare slice', () => {
  it('opens a run, goes back to a panel, and tells the sidebar to read the runs again', () => {
    const { store } = startedStore();
    store.actions.compare.openRun('r1');
    expect(store.getState().compare).toMatchObject({ panel: 'run', runId: 'r1', listVersion: 1 });
    store.actions.compare.listChanged();
    store.actions.compare.showPanel('sets');
    expect(store.getState().compare).toMatchObject({ panel: 'sets', runId: null, listVersion: 2 });
  });

  it('changes the blind screen only when the active columns do', () => {
    const { store } = startedStore();
    let changes = 0;
    store.subscribe(() => changes++);
    store.actions.compare.showBlindScreen({ activeLabels: ['A'] });
    store.actions.compare.showBlindScreen({ activeLabels: ['A'] });
    expect(changes).toBe(1);
    store.actions.compare.showBlindScreen({ activeLabels: ['A', 'C'] });
    store.actions.compare.showBlindScreen(null);
    store.actions.compare.showBlindScreen(null);
    expect(changes).toBe(3);
    expect(store.getState().compare.blindScreen).toBeNull();
  });
});
