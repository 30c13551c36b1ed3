/**
 * The Models page's catalog, the download jobs (kept current from `downloads.progress`), this
 * machine's hardware, and which catalog models fit it.
 */
import type { CatalogEntry } from '#shared/catalog.ts';
import type { DownloadJob } from '#shared/downloads.ts';
import { isHostUnreachable, type CatalogFit, type HardwareInfo } from '#shared/hardware.ts';
import type { SpeedCalibration } from '#shared/speed.ts';
import { sliceSetter, type Slice, type SliceContext } from '../slice.ts';

export interface LibraryState {
  catalog: readonly CatalogEntry[] | null;
  downloads: Readonly<Record<string, DownloadJob>>;
  /** This machine, as the engine sees it; null until known. */
  hardware: HardwareInfo | null;
  /** Fit per catalog model, once checked (it reads GGUF headers over the network). */
  fits: Readonly<Record<string, CatalogFit>>;
  /** The check under way, model by model; null when none runs. */
  fitCheck: { done: number; total: number } | null;
  /** This machine's speed calibration (predicted speeds): null until read, or while none was measured here. */
  speed: SpeedCalibration | null;
  /** 'measuring' while a calibration runs; 'idle' before it is read, or when none was measured (ENCLAVE_SPEED_CALIBRATION=manual). */
  speedState: 'idle' | 'reading' | 'measuring' | 'ready';
}

export const initialLibraryState: LibraryState = { catalog: null, downloads: {}, hardware: null, fits: {}, fitCheck: null, speed: null, speedState: 'idle' };

export interface LibraryActions {
  /** Loads the catalog and the jobs, then the hardware; safe to call again. */
  load(): Promise<void>;
  /** Reads the GGUF headers of these catalog models and scores them for this machine, one model at a time. */
  checkFit(catalogIds: readonly string[]): Promise<void>;
  /** Stops the check after the model being read; the fits found so far stay. */
  cancelFit(): void;
  /** Reads this machine's speed calibration once; measures it in the background when there is none for this machine. */
  loadSpeed(): Promise<void>;
  /** Measures this machine's speed again (about 10 s); the predicted speeds follow. */
  calibrate(): Promise<void>;
}

/** The job downloading this catalog file, if any: jobs are keyed by the file's base name. */
export function jobForFile(downloads: LibraryState['downloads'], file: string): DownloadJob | undefined {
  return downloads[file.slice(file.lastIndexOf('/') + 1)];
}

export function createLibrarySlice(ctx: SliceContext): Slice<LibraryActions> {
  const { api } = ctx;
  const set = sliceSetter(ctx, 'library');
  /** Bumped by each check and by cancel: a check that is no longer the current one stops. */
  let fitRun = 0;

  async function checkFit(catalogIds: readonly string[]): Promise<void> {
    if (catalogIds.length === 0 || ctx.getState().library.fitCheck !== null) return;
    const run = ++fitRun;
    set({ fitCheck: { done: 0, total: catalogIds.length } });
    try {
      for (const [index, catalogId] of catalogIds.entries()) {
        const fits = await api.call('catalog.fit', { catalogIds: [catalogId] });
        if (run !== fitRun) return;
        set((library) => ({ ...library, fits: { ...library.fits, ...Object.fromEntries(fits.map((fit) => [fit.catalogId, fit])) }, fitCheck: { done: index + 1, total: catalogIds.length } }));
        const unreachable = fits.find(isHostUnreachable)?.error;
        if (unreachable !== undefined && unreachable !== null) {
          // No model host to read from: the models left would fail alike, so they carry the same cause at once.
          const rest = catalogIds.slice(index + 1).map((id): CatalogFit => ({ catalogId: id, quants: [], error: unreachable }));
          set((library) => ({ ...library, fits: { ...library.fits, ...Object.fromEntries(rest.map((fit) => [fit.catalogId, fit])) } }));
          return;
        }
      }
    } finally {
      if (run === fitRun) set({ fitCheck: null });
    }
  }

  async function calibrate(automatic = false): Promise<void> {
    if (ctx.getState().library.speedState === 'measuring') return;
    const before = ctx.getState().library.speed;
    set({ speedState: 'measuring' });
    try {
      const speed = (await api.call('speed.calibrate', { automatic })) ?? before;
      set({ speed, speedState: speed === null ? 'idle' : 'ready' });
    } catch (error) {
      set({ speed: before, speedState: before === null ? 'idle' : 'ready' });
      throw error;
    }
  }

  return {
    actions: {
      async loadSpeed() {
        if (ctx.getState().library.speedState !== 'idle') return;
        set({ speedState: 'reading' });
        let speed: SpeedCalibration | null;
        try {
          speed = await api.call('speed.get', {});
        } catch (error) {
          set({ speedState: 'idle' });
          throw error;
        }
        set({ speed, speedState: speed === null ? 'idle' : 'ready' });
        if (speed === null) await calibrate(true);
      },
      calibrate: () => calibrate(),
      async load() {
        const [catalog, jobs] = await Promise.all([api.call('catalog.list', {}), api.call('downloads.list', {})]);
        set((library) => ({ ...library, catalog, downloads: { ...Object.fromEntries(jobs.map((job) => [job.id, job])), ...library.downloads } }));
        // The engine may still be starting: the hardware shows when it is ready.
        set({ hardware: await api.call('hardware.info', {}) });
      },
      checkFit,
      cancelFit() {
        fitRun++;
        set({ fitCheck: null });
      },
    },
    follow: () => [api.on('downloads.progress', (job) => set((library) => ({ ...library, downloads: { ...library.downloads, [job.id]: job } })))],
  };
}

declare module '../slice.ts' {
  interface AppState {
    library: LibraryState;
  }
  interface SliceActions {
    library: LibraryActions;
  }
}
