/**
 * Model packs: chosen models exported to a folder (a USB stick) with a manifest (catalog entry,
 * sha256 and name of every file), and imported elsewhere with every hash checked while copying.
 * Both run as jobs that report progress; a file is renamed into place only once verified.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, constants, mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CatalogEntry } from '#shared/catalog.ts';
import { EnclaveError, toErrorPayload } from '#shared/errors.ts';
import { PACK_MANIFEST_NAME, packManifestSchema, type PackJob, type PackManifest } from '#shared/packs.ts';
import { diskFullError } from './disk-full.ts';
import { validateGgufHeader } from './gguf/validate.ts';
import type { Library, LibraryEntry } from './library.ts';
import { readManifest, writeManifest } from './manifest.ts';
import { splitPartNames } from './gguf/files.ts';
import { isSystemFolder } from '../platform/system-folders.ts';

export interface ModelPacksOptions {
  library: Library;
  catalog: readonly CatalogEntry[];
  emit: (job: PackJob) => void;
  progressIntervalMs?: number;
}

export class ModelPacks {
  private readonly options: ModelPacksOptions;
  private readonly jobs = new Map<string, PackJob>();

  constructor(options: ModelPacksOptions) {
    this.options = options;
  }

  /**
   * Starts writing these library models and a manifest into `folder`, a folder the user chose (not
   * a system folder), created first when `createFolder` says so; a file already there is never
   * overwritten. Progress comes as events.
   */
  async export(modelIds: readonly string[], folder: string, createFolder = false): Promise<PackJob> {
    const models = modelIds.map((id) => this.options.library.usable(id));
    const target = await exportFolder(folder, createFolder);
    const names = [PACK_MANIFEST_NAME, ...(await Promise.all(models.map(partNames))).flat()];
    for (const name of names) {
      if (await exists(join(target, name))) throw new EnclaveError('FILE_EXISTS', `${name} is already in ${target}`, { file: name, folder: target });
    }
    const job = this.createJob('export', target);
    void this.run(job, async () => {
      const sources = [];
      for (const model of models) {
        const manifest = await readManifest(model.path);
        const files = [];
        for (const name of await partNames(model)) files.push({ fileName: name, path: join(dirname(model.path), name), sizeBytes: (await stat(join(dirname(model.path), name))).size });
        sources.push({ model, manifest, files });
      }
      job.totalBytes = sources.reduce((total, source) => total + source.files.reduce((sum, file) => sum + file.sizeBytes, 0), 0);
      const pack: PackManifest = { format: 'enclave.model-pack', version: 1, createdAt: new Date().toISOString(), models: [] };
      for (const source of sources) {
        const files = [];
        for (const file of source.files) {
          const sha256 = await this.copyHashed(job, file.path, join(target, file.fileName));
          const expected = source.manifest?.parts.find((part) => part.fileName === file.fileName)?.sha256;
          if (expected !== undefined && expected !== null && expected !== sha256) {
            throw new EnclaveError('CHECKSUM_MISMATCH', `${file.fileName} no longer matches its verified sha256`, { file: file.fileName, expected, actual: sha256, reason: 'file-changed' });
          }
          files.push({ fileName: file.fileName, sha256, sizeBytes: file.sizeBytes });
        }
        const catalogId = source.manifest?.catalogId ?? null;
        pack.models.push({ catalogEntry: this.options.catalog.find((entry) => entry.id === catalogId) ?? null, quant: source.manifest?.quant ?? source.model.info.quantization, files });
        job.models.push(source.model.info);
      }
      await writeFile(join(target, PACK_MANIFEST_NAME), `${JSON.stringify(pack, null, 2)}\n`, { flag: 'wx' });
    });
    return { ...job };
  }

  /** Starts copying a pack's models into the library, each file's sha256 checked before it is listed. */
  import(folder: string): PackJob {
    if (!isAbsolute(folder)) throw new EnclaveError('BAD_REQUEST', 'the pack folder must be an absolute path', { folder: folder.slice(0, 200), reason: 'relative-path' });
    const source = resolve(folder);
    const job = this.createJob('import', source);
    void this.run(job, async () => {
      const pack = await readPackManifest(source);
      job.totalBytes = pack.models.reduce((total, model) => total + model.files.reduce((sum, file) => sum + file.sizeBytes, 0), 0);
      const modelsDir = this.options.library.modelsDir;
      await mkdir(modelsDir, { recursive: true });
      const imported: string[] = [];
      for (const model of pack.models) {
        const first = model.files[0];
        if (first === undefined) continue;
        if ((await stat(join(modelsDir, first.fileName)).catch(() => null)) !== null) {
          job.skipped.push(first.fileName);
          job.doneBytes += model.files.reduce((sum, file) => sum + file.sizeBytes, 0);
          continue;
        }
        const placed: string[] = [];
        let refused = false;
        try {
          for (const file of model.files) {
            const partial = join(modelsDir, `${file.fileName}.importing`);
            placed.push(partial);
            const sha256 = await this.copyHashed(job, join(source, file.fileName), partial, true);
            const problem = sha256 === file.sha256 ? await validateGgufHeader(partial) : null;
            if (sha256 !== file.sha256 || problem !== null) {
              job.refused.push(
                problem === null
                  ? { fileName: file.fileName, code: 'CHECKSUM_MISMATCH', message: `sha256 ${sha256}, the pack says ${file.sha256}; the copy was deleted` }
                  : { fileName: file.fileName, code: problem.code, message: problem.message },
              );
              refused = true;
              break;
            }
          }
        } catch (error) {
          // A copy that failed half way (a file missing from the pack, a full disk) leaves nothing behind.
          for (const partial of placed) await rm(partial, { force: true });
          throw error;
        }
        if (refused) {
          for (const partial of placed) await rm(partial, { force: true });
          continue;
        }
        const target = join(modelsDir, first.fileName);
        await writeManifest(target, {
          version: 1,
          source: { kind: 'import', originalPath: join(source, first.fileName) },
          catalogId: model.catalogEntry?.id ?? null,
          quant: model.quant,
          parts: model.files.map((file) => ({ fileName: file.fileName, sha256: file.sha256, sizeBytes: file.sizeBytes })),
          verified: true,
          download: 'done',
          addedAt: new Date().toISOString(),
        });
        for (const partial of placed) await rename(partial, partial.slice(0, -'.importing'.length));
        imported.push(first.fileName);
      }
      const listed = await this.options.library.rescan();
      job.models = listed.filter((info) => imported.includes(info.fileName));
    });
    return { ...job };
  }

  private createJob(kind: PackJob['kind'], folder: string): PackJob {
    const job: PackJob = { id: randomUUID(), kind, state: 'running', folder, file: null, doneBytes: 0, totalBytes: 0, models: [], refused: [], skipped: [], error: null };
    this.jobs.set(job.id, job);
    this.options.emit({ ...job });
    return job;
  }

  private async run(job: PackJob, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      job.state = 'done';
    } catch (error) {
      job.state = 'failed';
      job.error = toErrorPayload(diskFullError(error) ?? error);
    }
    job.file = null;
    this.options.emit({ ...job });
  }

  /**
   * Copies through a temporary name while hashing; returns the sha256 of what was written. In the
   * models folder (`ownFolder`) a temporary left by a crash is Enclave's own and is replaced.
   */
  private async copyHashed(job: PackJob, from: string, to: string, ownFolder = false): Promise<string> {
    job.file = basename(from);
    const hash = createHash('sha256');
    let lastEmit = 0;
    const temporary = `${to}.partial`;
    if (ownFolder) await rm(temporary, { force: true });
    const meter = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        hash.update(chunk);
        job.doneBytes += chunk.length;
        const now = Date.now();
        if (now - lastEmit >= (this.options.progressIntervalMs ?? 250)) {
          lastEmit = now;
          this.options.emit({ ...job });
        }
        callback(null, chunk);
      },
    });
    // A FIFO or a device under a pack file's name would block or never end: regular files only.
    const source = await stat(from).catch(() => null);
    if (source?.isFile() !== true) throw new EnclaveError('NOT_FOUND', `${basename(from)} is missing or not a regular file`, { file: basename(from) });
    try {
      // 'wx': never write through a file (or a link) that is already there.
      await pipeline(createReadStream(from, { highWaterMark: 1024 * 1024 }), meter, createWriteStream(temporary, { flags: 'wx' }));
      if (await exists(to)) throw new EnclaveError('FILE_EXISTS', `${basename(to)} appeared in ${dirname(to)} during the copy`, { file: basename(to) });
      await rename(temporary, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(temporary, { force: true });
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new EnclaveError('FILE_EXISTS', `${basename(temporary)} is already in ${dirname(to)}`, { file: basename(temporary) });
      throw error;
    }
    return hash.digest('hex');
  }
}

/** The files of a library model: every part of a split model, as its manifest or its name says. */
async function partNames(model: LibraryEntry): Promise<string[]> {
  const manifest = await readManifest(model.path);
  return manifest?.parts.map((part) => part.fileName) ?? splitPartNames(model.info.fileName);
}

/** The folder to export to: absolute, existing (or created when asked), a folder, writable, and not one of the system's. */
async function exportFolder(folder: string, create: boolean): Promise<string> {
  if (!isAbsolute(folder)) throw new EnclaveError('BAD_REQUEST', 'the export folder must be an absolute path', { folder: folder.slice(0, 200), reason: 'relative-path' });
  if (create && isSystemFolder(folder)) throw new EnclaveError('FORBIDDEN', `${folder} is in a system folder: choose a folder of your own or a USB stick`, { folder, reason: 'system-folder' });
  if (create) await createExportFolder(folder);
  let real: string;
  try {
    real = await realpath(folder);
  } catch {
    throw new EnclaveError('NOT_FOUND', `no folder at ${folder.slice(0, 500)}: create it first`, { folder: folder.slice(0, 500), reason: 'no-folder' });
  }
  if (isSystemFolder(real)) throw new EnclaveError('FORBIDDEN', `${real} is a system folder: choose a folder of your own or a USB stick`, { folder: real, reason: 'system-folder' });
  if (!(await stat(real)).isDirectory()) throw new EnclaveError('BAD_REQUEST', `${real} is not a folder`, { folder: real, reason: 'not-a-folder' });
  try {
    await access(real, constants.W_OK);
  } catch {
    throw new EnclaveError('FORBIDDEN', `${real} cannot be written to`, { folder: real, reason: 'not-writable' });
  }
  return real;
}

async function createExportFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw diskFullError(error) ?? new EnclaveError('FORBIDDEN', `${folder} could not be created: ${(error as Error).message}`, { folder, reason: 'not-writable' });
  }
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
}

async function readPackManifest(folder: string): Promise<PackManifest> {
  let text: string;
  try {
    text = await readFile(join(folder, PACK_MANIFEST_NAME), 'utf8');
  } catch {
    throw new EnclaveError('NOT_FOUND', `no ${PACK_MANIFEST_NAME} in ${folder}`, { folder, reason: 'no-pack-manifest' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EnclaveError('BAD_REQUEST', `${PACK_MANIFEST_NAME} is not JSON`, { folder, reason: 'pack-manifest-not-json' });
  }
  const result = packManifestSchema.safeParse(parsed);
  if (!result.success) throw new EnclaveError('BAD_REQUEST', `${PACK_MANIFEST_NAME} is not a model pack manifest`, { folder, reason: 'pack-manifest-invalid', issue: result.error.issues[0]?.message });
  return result.data;
}
