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
  /** Fit per catalog model, once the user has asked (it reads GGUF headers over the network). */
  fits: Readonly<Record<string, CatalogFit>>;
  checkingFit: boolean;
}

export interface LibraryStore {
  getState(): LibraryState;
  subscribe(listener: () => void): () => void;
  /** Loads the catalog and the jobs; safe to call again. */
  load(): Promise<void>;
  /** Reads the GGUF headers of these catalog models and scores them for this machine. */
  checkFit(catalogIds: readonly string[]): Promise<void>;
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
  let state: LibraryState = { catalog: null, downloads: {}, hardware: null, fits: {}, checkingFit: false };
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
    async checkFit(catalogIds) {
      if (catalogIds.length === 0 || state.checkingFit) return;
      set({ ...state, checkingFit: true });
      try {
        const fits = await api.call('catalog.fit', { catalogIds: [...catalogIds] });
        set({ ...state, fits: { ...state.fits, ...Object.fromEntries(fits.map((fit) => [fit.catalogId, fit])) } });
      } finally {
        set({ ...state, checkingFit: false });
      }
    },
  };
}

/** The job downloading this catalog file, if any: jobs are keyed by the file's base name. */
export function jobForFile(downloads: LibraryState['downloads'], file: string): DownloadJob | undefined {
  return downloads[file.slice(file.lastIndexOf('/') + 1)];
}
