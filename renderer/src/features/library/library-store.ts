/**
 * The Models page's own state: the catalog and the download jobs, kept current from
 * `downloads.progress` events. One store per api client, shared by the page and its sidebar.
 */
import type { CatalogEntry } from '../../../../shared/catalog.ts';
import type { EnclaveApi } from '../../../../shared/contract.ts';
import type { DownloadJob } from '../../../../shared/downloads.ts';

export interface LibraryState {
  catalog: readonly CatalogEntry[] | null;
  downloads: Readonly<Record<string, DownloadJob>>;
}

export interface LibraryStore {
  getState(): LibraryState;
  subscribe(listener: () => void): () => void;
  /** Loads the catalog and the jobs; safe to call again. */
  load(): Promise<void>;
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
  let state: LibraryState = { catalog: null, downloads: {} };
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
      set({ catalog, downloads: { ...Object.fromEntries(jobs.map((job) => [job.id, job])), ...state.downloads } });
    },
  };
}

/** The job downloading this catalog file, if any: jobs are keyed by the file's base name. */
export function jobForFile(downloads: LibraryState['downloads'], file: string): DownloadJob | undefined {
  return downloads[file.slice(file.lastIndexOf('/') + 1)];
}
