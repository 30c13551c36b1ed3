/**
 * Model packs: chosen models exported to a folder (a USB stick) with a manifest (catalog entry,
 * sha256 and name of every file), and imported elsewhere with every hash checked while copying.
 * Both run as jobs that report progress; a file is renamed into place only once verified.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CatalogEntry } from '../../shared/catalog.ts';
import { EnclaveError, toErrorPayload } from '../../shared/errors.ts';
import { PACK_MANIFEST_NAME, packManifestSchema, type PackJob, type PackManifest } from '../../shared/packs.ts';
import { validateGgufHeader } from './gguf-validate.ts';
import type { Library } from './library.ts';
import { readManifest, writeManifest } from './model-manifest.ts';
import { splitPartNames } from './downloads.ts';

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

  /** Starts writing these library models and a manifest into `folder`; progress comes as events. */
  export(modelIds: readonly string[], folder: string): PackJob {
    const target = resolve(folder);
    const models = modelIds.map((id) => this.options.library.usable(id));
    const job = this.createJob('export', target);
    void this.run(job, async () => {
      await mkdir(target, { recursive: true });
      const sources = [];
      for (const model of models) {
        const manifest = await readManifest(model.path);
        const names = manifest?.parts.map((part) => part.fileName) ?? splitPartNames(model.info.fileName);
        const files = [];
        for (const name of names) files.push({ fileName: name, path: join(dirname(model.path), name), sizeBytes: (await stat(join(dirname(model.path), name))).size });
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
            throw new EnclaveError('CHECKSUM_MISMATCH', `${file.fileName} no longer matches its verified sha256`, { file: file.fileName, expected, actual: sha256 });
          }
          files.push({ fileName: file.fileName, sha256, sizeBytes: file.sizeBytes });
        }
        const catalogId = source.manifest?.catalogId ?? null;
        pack.models.push({ catalogEntry: this.options.catalog.find((entry) => entry.id === catalogId) ?? null, quant: source.manifest?.quant ?? source.model.info.quantization, files });
        job.models.push(source.model.info);
      }
      await writeFile(join(target, PACK_MANIFEST_NAME), `${JSON.stringify(pack, null, 2)}\n`);
    });
    return { ...job };
  }

  /** Starts copying a pack's models into the library, each file's sha256 checked before it is listed. */
  import(folder: string): PackJob {
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
        for (const file of model.files) {
          const partial = join(modelsDir, `${file.fileName}.importing`);
          const sha256 = await this.copyHashed(job, join(source, file.fileName), partial);
          const problem = sha256 === file.sha256 ? await validateGgufHeader(partial) : null;
          if (sha256 !== file.sha256 || problem !== null) {
            await rm(partial, { force: true });
            job.refused.push(
              problem === null
                ? { fileName: file.fileName, code: 'CHECKSUM_MISMATCH', message: `sha256 ${sha256}, the pack says ${file.sha256}; the copy was deleted` }
                : { fileName: file.fileName, code: problem.code, message: problem.message },
            );
            refused = true;
            break;
          }
          placed.push(partial);
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
      job.error = toErrorPayload((error as NodeJS.ErrnoException).code === 'ENOSPC' ? new EnclaveError('DISK_FULL', 'the disk is full') : error);
    }
    job.file = null;
    this.options.emit({ ...job });
  }

  /** Copies through a temporary name while hashing; returns the sha256 of what was written. */
  private async copyHashed(job: PackJob, from: string, to: string): Promise<string> {
    job.file = basename(from);
    const hash = createHash('sha256');
    let lastEmit = 0;
    const temporary = `${to}.partial`;
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
    try {
      await pipeline(createReadStream(from, { highWaterMark: 1024 * 1024 }), meter, createWriteStream(temporary));
      await rename(temporary, to);
    } catch (error) {
      await rm(temporary, { force: true });
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new EnclaveError('NOT_FOUND', `${basename(from)} is missing`, { file: basename(from) });
      throw error;
    }
    return hash.digest('hex');
  }
}

async function readPackManifest(folder: string): Promise<PackManifest> {
  let text: string;
  try {
    text = await readFile(join(folder, PACK_MANIFEST_NAME), 'utf8');
  } catch {
    throw new EnclaveError('NOT_FOUND', `no ${PACK_MANIFEST_NAME} in ${folder}`, { folder });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EnclaveError('BAD_REQUEST', `${PACK_MANIFEST_NAME} is not JSON`, { folder });
  }
  const result = packManifestSchema.safeParse(parsed);
  if (!result.success) throw new EnclaveError('BAD_REQUEST', `${PACK_MANIFEST_NAME} is not a model pack manifest`, { folder, issue: result.error.issues[0]?.message });
  return result.data;
}
