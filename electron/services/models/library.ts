/** The models folder: every .gguf file in it, described from its header (nothing is loaded). */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { GgmlType, GgufFileType, readGgufFileInfo, type GgufFileInfo, type GgufTensorInfo } from 'node-llama-cpp';
import { EnclaveError } from '#shared/errors.ts';
import type { ModelInfo, ModelKind, ModelProblem } from '#shared/models.ts';
import { CATALOG } from './catalog.ts';
import { HEADER_IGNORED_KEYS, isLaterSplitPart, splitPartNames } from './gguf/files.ts';
import { validateGgufHeader } from './gguf/validate.ts';
import { readManifest } from './manifest.ts';

export interface LibraryEntry {
  info: ModelInfo;
  path: string;
  /** Size and modification time of every part when the scan described it (null: could not be read). */
  stamps: readonly (FileStamp | null)[];
}

interface FileStamp {
  size: number;
  mtimeMs: number;
}

export class Library {
  readonly modelsDir: string;
  private entries = new Map<string, LibraryEntry>();

  constructor(modelsDir: string) {
    this.modelsDir = modelsDir;
  }

  list(): ModelInfo[] {
    return [...this.entries.values()].map((entry) => entry.info);
  }

  async rescan(): Promise<ModelInfo[]> {
    const files = await findGgufFiles(this.modelsDir);
    const entries = await Promise.all(files.map((path) => this.describe(path)));
    entries.sort((a, b) => a.info.name.localeCompare(b.info.name));
    this.entries = new Map(entries.map((entry) => [entry.info.id, entry]));
    return this.list();
  }

  /** Any listed model by id, usable or not (deleting a broken file). */
  find(id: string): LibraryEntry | undefined {
    return this.entries.get(id);
  }

  /** Like find, or MODEL_NOT_FOUND. */
  locate(id: string): LibraryEntry {
    const entry = this.entries.get(id);
    if (entry === undefined) throw new EnclaveError('MODEL_NOT_FOUND', `no model with id ${JSON.stringify(id)}`, { modelId: id });
    return entry;
  }

  /** A usable model by id. Only ids found by the last scan resolve, so an id never names a path. */
  usable(id: string): LibraryEntry {
    const entry = this.locate(id);
    if (entry.info.problem !== null) {
      throw new EnclaveError('INVALID_MODEL', entry.info.problem.message, { modelId: id, problem: entry.info.problem.code });
    }
    return entry;
  }

  /**
   * The draft model for a model (speculative decoding): the usable file downloaded as the `draft`
   * its catalog entry names, the model itself being a catalog download (its manifest records the
   * catalog id). The smallest such file when there are several quants; null when there is none.
   */
  draftOf(id: string): LibraryEntry | null {
    const catalogId = this.entries.get(id)?.info.source?.catalogId ?? null;
    const draftId = CATALOG.find((entry) => entry.id === catalogId)?.draft;
    if (draftId === undefined) return null;
    const drafts = [...this.entries.values()].filter((entry) => entry.info.source?.catalogId === draftId && entry.info.problem === null);
    return drafts.sort((a, b) => a.info.sizeBytes - b.info.sizeBytes)[0] ?? null;
  }

  /**
   * The path of a usable model, checked again just before it is loaded: a file swapped or cut
   * after the scan must not reach llama.cpp unchecked. Every part's header is validated again
   * (bounded reads, milliseconds); a part whose size or modification time changed since the scan
   * is described afresh (manifest, header), and the entry updated. Throws MODEL_NOT_FOUND or
   * INVALID_MODEL with the problem.
   */
  async verifiedPath(modelId: string): Promise<string> {
    let entry = this.usable(modelId);
    const parts = splitParts(entry.path);
    const stamps = await Promise.all(parts.map(stampOf));
    const gone = parts.find((_, index) => stamps[index] === null);
    if (gone !== undefined) {
      throw new EnclaveError('MODEL_NOT_FOUND', `${basename(gone)} is no longer in the models folder`, { modelId });
    }
    if (stamps.some((stamp, index) => !sameStamp(stamp, entry.stamps[index] ?? null))) {
      entry = await this.describe(entry.path);
      this.entries.set(modelId, entry);
      entry = this.usable(modelId);
    }
    for (const part of parts) {
      const problem = await checkHeader(part);
      if (problem !== null) {
        throw new EnclaveError('INVALID_MODEL', `${basename(part)}: ${problem.message}`, { modelId, problem: problem.code });
      }
    }
    return entry.path;
  }

  private async describe(path: string): Promise<LibraryEntry> {
    // Stamped before reading: a change during the scan shows as a different stamp at load time.
    const stamps = await Promise.all(splitParts(path).map(stampOf));
    return { path, stamps, info: await describeModelFile(path, this.modelsDir) };
  }
}

async function stampOf(path: string): Promise<FileStamp | null> {
  try {
    const { size, mtimeMs } = await stat(path);
    return { size, mtimeMs };
  } catch {
    return null;
  }
}

function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  return a !== null && b !== null && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** The strict header check; a file it cannot even open is NOT_GGUF. */
function checkHeader(path: string): Promise<ModelProblem | null> {
  return validateGgufHeader(path).catch((error: unknown) => ({ code: 'NOT_GGUF' as const, message: `not a readable GGUF file: ${String(error)}` }));
}

async function findGgufFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((name) => name.toLowerCase().endsWith('.gguf') && !isLaterSplitPart(name)).map((name) => join(dir, name));
}

export async function describeModelFile(path: string, modelsDir: string): Promise<ModelInfo> {
  const id = relative(modelsDir, path).split(sep).join('/');
  const fileName = basename(path);
  let size: number;
  try {
    ({ size } = await stat(path));
  } catch {
    // A file imported by reference whose original is gone (a USB stick removed): listed, not usable.
    return {
      id,
      name: fileName.replace(/\.gguf$/i, ''),
      fileName,
      sizeBytes: 0,
      architecture: null,
      parameterCount: null,
      quantization: null,
      contextLength: null,
      hasChatTemplate: false,
      problem: { code: 'MISSING', message: 'the file is gone' },
    };
  }
  const base: ModelInfo = {
    id,
    name: fileName.replace(/\.gguf$/i, ''),
    fileName,
    sizeBytes: size,
    architecture: null,
    parameterCount: null,
    quantization: null,
    contextLength: null,
    hasChatTemplate: false,
    problem: null,
  };
  // A download is usable only once its sha256 is verified (model library).
  const manifest = await readManifest(path);
  if (manifest !== null) {
    const source = {
      kind: manifest.source.kind,
      repo: manifest.source.kind === 'huggingface' ? manifest.source.repo : null,
      catalogId: manifest.catalogId,
      verified: manifest.verified,
    };
    base.source = source;
    if (manifest.source.kind === 'huggingface' && !manifest.verified) {
      return { ...base, problem: { code: 'UNVERIFIED', message: 'the download is not finished or not verified' } };
    }
    if (manifest.verified) {
      // The sha256 was checked for files of these sizes: another size is another file.
      for (const part of manifest.parts) {
        if (part.sizeBytes === null) continue;
        const actual = (await stampOf(join(dirname(path), part.fileName)))?.size;
        if (actual !== part.sizeBytes) {
          return {
            ...base,
            source: { ...source, verified: false },
            problem: { code: 'UNVERIFIED', message: `${part.fileName} changed since it was verified (${actual ?? 'no'} bytes, ${part.sizeBytes} expected)` },
          };
        }
      }
    }
  }
  // Our strict check first: node-llama-cpp's reader is lenient, and llama.cpp must never see a bad header.
  for (const part of splitParts(path)) {
    const problem = await checkHeader(part);
    if (problem !== null) return { ...base, problem: part === path ? problem : { ...problem, message: `${basename(part)}: ${problem.message}` } };
  }
  let header: GgufFileInfo;
  try {
    header = await readGgufFileInfo(path, { sourceType: 'filesystem', ignoreKeys: HEADER_IGNORED_KEYS, logWarnings: false, spliceSplitFiles: true });
  } catch (error) {
    return { ...base, problem: { code: 'NOT_GGUF', message: `not a readable GGUF file: ${error instanceof Error ? error.message : String(error)}` } };
  }
  const metadata = header.metadata as Record<string, unknown> & { general?: Record<string, unknown>; tokenizer?: Record<string, unknown> };
  const architecture = typeof metadata.general?.architecture === 'string' ? metadata.general.architecture : null;
  const archMetadata = architecture === null ? undefined : (metadata[architecture] as Record<string, unknown> | undefined);
  const fileType = metadata.general?.file_type;
  const generalName = typeof metadata.general?.name === 'string' ? metadata.general.name.trim() : '';
  return {
    ...base,
    // Converters often write only the architecture as the name ("llama"): the file name says more.
    name: generalName !== '' && generalName !== architecture ? generalName : base.name,
    architecture,
    parameterCount: countParameters(header),
    quantization: typeof fileType === 'number' ? (GgufFileType[fileType]?.replace(/^MOSTLY_/, '') ?? null) : dominantTensorType(header),
    contextLength: typeof archMetadata?.context_length === 'number' ? archMetadata.context_length : null,
    hasChatTemplate: typeof metadata.tokenizer?.chat_template === 'string',
    kind: modelKind(architecture, archMetadata, base.source?.catalogId ?? null),
    problem: null,
  };
}

/** Encoder architectures llama.cpp runs only for embeddings. */
const EMBEDDING_ARCHITECTURES = new Set(['bert', 'nomic-bert', 'nomic-bert-moe', 'jina-bert-v2', 'jina-bert-v3', 'neo-bert', 'modern-bert', 't5encoder']);
/** llama.cpp's LLAMA_POOLING_TYPE_RANK: a reranker's classification head. */
const POOLING_RANK = 4;

/** The catalog's word for a catalog model; else a pooling type in the header (rank: a reranker), or an encoder architecture, makes it an embedding model. */
function modelKind(architecture: string | null, archMetadata: Record<string, unknown> | undefined, catalogId: string | null): ModelKind {
  const listed = CATALOG.find((entry) => entry.id === catalogId)?.kind;
  if (listed !== undefined) return listed;
  const pooling = archMetadata?.pooling_type;
  if (pooling === POOLING_RANK) return 'reranking';
  if ((typeof pooling === 'number' && pooling > 0) || (architecture !== null && EMBEDDING_ARCHITECTURES.has(architecture))) return 'embedding';
  return 'chat';
}

function elementCount(tensor: GgufTensorInfo): number {
  return tensor.dimensions.reduce<number>((product, dim) => product * Number(dim), 1);
}

function countParameters(header: GgufFileInfo): number | null {
  const tensors = header.fullTensorInfo ?? header.tensorInfo;
  return tensors === undefined ? null : tensors.reduce((total, tensor) => total + elementCount(tensor), 0);
}

/** For files without general.file_type: the type that holds the most weights. */
function dominantTensorType(header: GgufFileInfo): string | null {
  const elementsByType = new Map<number, number>();
  for (const tensor of header.tensorInfo ?? []) {
    elementsByType.set(tensor.ggmlType, (elementsByType.get(tensor.ggmlType) ?? 0) + elementCount(tensor));
  }
  const [top] = [...elementsByType].sort((a, b) => b[1] - a[1]);
  return top === undefined ? null : (GgmlType[top[0]] ?? null);
}

/** Every part of a split model ("name-00001-of-00003.gguf"), or just the file itself. */
function splitParts(path: string): string[] {
  return splitPartNames(basename(path)).map((name) => join(dirname(path), name));
}
