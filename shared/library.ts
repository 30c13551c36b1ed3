/**
 * The model library's slice of the contract: the models folder, the engine processes, the catalog,
 * verified downloads, imports, the hardware fit, predicted speeds and model packs.
 */
import { z } from 'zod';
import type { CatalogEntry } from './catalog.ts';
import { idSchema } from './chat.ts';
import type { DownloadJob } from './downloads.ts';
import type { CatalogFit, HardwareInfo } from './hardware.ts';
import type { ImportResult } from './imports.ts';
import type { EngineStatus, ModelInfo } from './models.ts';
import type { PackJob } from './packs.ts';
import type { SpeedCalibration } from './speed.ts';

export const libraryCommandSchemas = {
  'models.list': z.strictObject({}),
  'models.rescan': z.strictObject({}),
  'engine.status': z.strictObject({}),
  'models.unload': z.strictObject({}),
  // The curated catalog and verified, resumable downloads.
  'catalog.list': z.strictObject({}),
  'downloads.list': z.strictObject({}),
  'downloads.start': z.strictObject({ catalogId: idSchema, quant: z.string().min(1).max(32) }),
  'downloads.pause': z.strictObject({ id: idSchema }),
  'downloads.resume': z.strictObject({ id: idSchema }),
  'downloads.cancel': z.strictObject({ id: idSchema }),
  /** Copies .gguf files, or every .gguf file under folders, on the host's disk into the models folder. */
  'models.import': z.strictObject({
    paths: z.array(z.string().min(1).max(4096)).min(1).max(100),
    /** 'reference' uses the files where they are (a link in the models folder) instead of copying them. */
    mode: z.enum(['copy', 'reference']).optional(),
  }),
  // The hardware fit: this machine's memory; what catalog models need (reads their GGUF headers over the network).
  'hardware.info': z.strictObject({}),
  'catalog.fit': z.strictObject({ catalogIds: z.array(idSchema).min(1).max(100) }),
  // Speeds predicted before download: this machine's calibration (null until measured here), and measuring it (about 10 s).
  'speed.get': z.strictObject({}),
  /** `automatic`: the first visit's own run, which ENCLAVE_SPEED_CALIBRATION=manual turns off (the answer is then null). */
  'speed.calibrate': z.strictObject({ automatic: z.boolean().optional() }),
  // Model packs and library actions: folders on the computer running Enclave.
  'packs.export': z.strictObject({ modelIds: z.array(idSchema).min(1).max(200), folder: z.string().min(1).max(4096), createFolder: z.boolean().optional() }),
  'packs.import': z.strictObject({ folder: z.string().min(1).max(4096) }),
  'models.delete': z.strictObject({ id: idSchema }),
  /** Shows the model's file in the system's file manager (desktop); the web host answers its path to copy. */
  'models.reveal': z.strictObject({ id: idSchema }),
  /** The desktop app's open dialog; the web host answers `available: false`. */
  'models.pickImport': z.strictObject({ kind: z.enum(['files', 'folder']) }),
} as const;

export interface LibraryCommandResults {
  'models.list': ModelInfo[];
  'models.rescan': ModelInfo[];
  'engine.status': EngineStatus;
  'models.unload': EngineStatus;
  'catalog.list': CatalogEntry[];
  'downloads.list': DownloadJob[];
  'downloads.start': DownloadJob;
  'downloads.pause': DownloadJob;
  'downloads.resume': DownloadJob;
  'downloads.cancel': DownloadJob;
  'models.import': ImportResult;
  'hardware.info': HardwareInfo;
  'catalog.fit': CatalogFit[];
  'speed.get': SpeedCalibration | null;
  'speed.calibrate': SpeedCalibration | null;
  'packs.export': PackJob;
  'packs.import': PackJob;
  'models.delete': ModelInfo[];
  'models.reveal': { path: string; revealed: boolean };
  'models.pickImport': { available: boolean; paths: string[] };
}

export interface LibraryEventPayloads {
  'engine.status': EngineStatus;
  /** A download's state and progress, at most about four per second per job. */
  'downloads.progress': DownloadJob;
  /** A model pack's export or import progress, keyed by the job's id. */
  'packs.progress': PackJob;
}
