/**
 * The model library's commands: the models folder, the engine processes, the catalog, verified
 * downloads, imports, the hardware fit, predicted speeds, packs, and the desktop app's file dialogs where it has them.
 */
import type { libraryCommandSchemas } from '#shared/library.ts';
import type { ModelInfo } from '#shared/models.ts';
import type { EnginePool } from '../../engine/client/engine-pool.ts';
import type { Handlers } from '../../router/router.ts';
import { CATALOG, catalogFile } from './catalog.ts';
import { deleteModel } from './delete.ts';
import type { DownloadService } from './downloads/download-service.ts';
import type { ModelFitService } from './fit.ts';
import { importModels } from './imports.ts';
import type { Library } from './library.ts';
import type { ModelPacks } from './packs.ts';
import type { SpeedService } from './speed.ts';

/** The desktop app's dialogs and file manager; the web host has none (its user may be on another computer). */
export interface LibraryPorts {
  pickModels?: ((kind: 'files' | 'folder') => Promise<string[]>) | undefined;
  showItemInFolder?: ((path: string) => Promise<void>) | undefined;
}

export interface LibraryServices {
  library: Library;
  engine: EnginePool;
  downloads: DownloadService;
  fit: ModelFitService;
  speed: SpeedService;
  packs: ModelPacks;
  /** Models that are not files here (inference servers'), listed after the folder's. */
  otherModels: () => ModelInfo[];
}

export function libraryHandlers({ library, engine, downloads, fit, speed, packs, otherModels }: LibraryServices, ports: LibraryPorts): Handlers<keyof typeof libraryCommandSchemas> {
  return {
    'models.list': () => [...library.list(), ...otherModels()],
    'models.rescan': async () => [...(await library.rescan()), ...otherModels()],
    'engine.status': () => engine.status,
    'models.unload': async () => {
      await engine.unload();
      return engine.status;
    },
    'catalog.list': () => [...CATALOG],
    'downloads.list': () => downloads.list(),
    'downloads.start': ({ catalogId, quant }) => downloads.start({ ...catalogFile(catalogId, quant), catalogId, quant }),
    'downloads.pause': ({ id }) => downloads.pause(id),
    'downloads.resume': ({ id }) => downloads.resume(id),
    'downloads.cancel': ({ id }) => downloads.cancel(id),
    'models.import': ({ paths, mode }) => importModels(paths, library, mode),
    'hardware.info': () => fit.hardware(),
    'catalog.fit': ({ catalogIds }) => fit.fit(catalogIds),
    'speed.get': () => speed.current(),
    'speed.calibrate': ({ automatic }) => speed.calibrate(automatic),
    'packs.export': ({ modelIds, folder, createFolder }) => packs.export(modelIds, folder, createFolder),
    'packs.import': ({ folder }) => packs.import(folder),
    'models.pickImport': async ({ kind }) => {
      if (ports.pickModels === undefined) return { available: false, paths: [] };
      return { available: true, paths: await ports.pickModels(kind) };
    },
    'models.delete': async ({ id }) => {
      await engine.unload(id);
      return deleteModel(library, id);
    },
    'models.reveal': async ({ id }) => {
      const { path } = library.locate(id);
      if (ports.showItemInFolder === undefined) return { path, revealed: false };
      await ports.showItemInFolder(path);
      return { path, revealed: true };
    },
  };
}
