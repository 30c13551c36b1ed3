/**
 * The Models page's own state: the catalog and the download jobs, kept current from
 * `downloads.progress` events. One store per api client, shared by the page and its sidebar.
 */
import type { CatalogEntry } from '../../../../shared/catalog.ts';
import type { EnclaveApi } from '../../../../shared/contract.ts';
import type { DownloadJob } from '../../../../shared/downloads.ts';
import type { CatalogFit, HardwareInfo } from '../../../../shared/hardware.ts';

export interface LibraryState {
  catalog: readonly CatalogEntry[] | null;
  downloads: Readonly<Record<string, DownloadJob>>;
  /** This machine, as the engine sees it; null until known. */
  hardware: HardwareInfo | null;
  /** Fit per catalog model, once checked (it reads GGUF headers over the network). */
  fits: Readonly<Record<string, CatalogFit>>;
  /** The check under way, model by model; null when none runs. */
  fitCheck: { done: number; total: number } | null;
}

export interface LibraryStore {
  getState(): LibraryState;
  subscribe(listener: () => void): () => void;
  /** Loads the catalog and the jobs; safe to call again. */
  load(): Promise<void>;
  /** Reads the GGUF headers of these catalog models and scores them for this machine, one model at a time. */
  checkFit(catalogIds: readonly string[]): Promise<void>;
  /** Stops the check after the model being read; the fits found so far stay. */
  cancelFit(): void;
  /**
   * First run (nothing installed, nothing downloading): the check starts by itself, once per
   * session and not when offline, so the recommendation shows without a click.
   */
}

const stores = new WeakMap<EnclaveApi, LibraryStore>();

export function libraryStoreFor(api: EnclaveApi): LibraryStore {
  let store = stores.get(api);
  if (store === undefined) {
    store = createLibraryStore(api);
    stores.set(api, store);
  }
  return store;
}

export function createLibraryStore(api: EnclaveApi): LibraryStore {
  let state: LibraryState = { catalog: null, downloads: {}, hardware: null, fits: {}, fitCheck: null };
  /** Bumped by each check and by cancel: a check that is no longer the current one stops. */
  let fitRun = 0;
  const listeners = new Set<() => void>();
  const set = (next: LibraryState): void => {
    state = next;
    for (const listener of listeners) listener();
  };
  const applyJob = (job: DownloadJob): void => set({ ...state, downloads: { ...state.downloads, [job.id]: job } });
  api.on('downloads.progress', applyJob);
  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async load() {
      const [catalog, jobs] = await Promise.all([api.call('catalog.list', {}), api.call('downloads.list', {})]);
      set({ ...state, catalog, downloads: { ...Object.fromEntries(jobs.map((job) => [job.id, job])), ...state.downloads } });
      // The engine may still be starting: the hardware shows when it is ready.
      set({ ...state, hardware: await api.call('hardware.info', {}) });
    },
    checkFit,
    cancelFit() {
      fitRun++;
      set({ ...state, fitCheck: null });
    },
  };

  async function checkFit(catalogIds: readonly string[]): Promise<void> {
    if (catalogIds.length === 0 || state.fitCheck !== null) return;
    const run = ++fitRun;
    set({ ...state, fitCheck: { done: 0, total: catalogIds.length } });
    try {
      for (const [index, catalogId] of catalogIds.entries()) {
        const fits = await api.call('catalog.fit', { catalogIds: [catalogId] });
        if (run !== fitRun) return;
        set({ ...state, fits: { ...state.fits, ...Object.fromEntries(fits.map((fit) => [fit.catalogId, fit])) }, fitCheck: { done: index + 1, total: catalogIds.length } });
      }
    } finally {
      if (run === fitRun) set({ ...state, fitCheck: null });
    }
  }
}

/** The job downloading this catalog file, if any: jobs are keyed by the file's base name. */
export function jobForFile(downloads: LibraryState['downloads'], file: string): DownloadJob | undefined {
  return downloads[file.slice(file.lastIndexOf('/') + 1)];
}
