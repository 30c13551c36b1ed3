/**
 * A strict check of a GGUF header before the file reaches llama.cpp (or node-llama-cpp's lenient
 * reader, which reads past the end of a file as zeros). Reads only the header, in bounded chunks;
 * every count and length is capped and checked against the bytes left in the file before anything
 * is read or allocated. Format: ggml/docs/gguf.md; the rules follow llama.cpp's gguf.cpp.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { ModelProblem, ModelProblemCode } from '#shared/models.ts';
import { ggmlBlockSize, tensorByteSize } from './sizes.ts';

export const GGUF_LIMITS = {
  maxTensors: 65_536,
  maxKeyValues: 65_536,
  maxKeyBytes: 65_535,
  maxStringBytes: 16 * 1024 * 1024,
  maxArrayItems: 16 * 1024 * 1024,
  /** llama.cpp's GGML_MAX_NAME is 64, terminator included. */
  maxTensorNameBytes: 63,
  /** GGML_MAX_DIMS. */
  maxDims: 4,
} as const;

const MAGIC = 'GGUF';
const SUPPORTED_VERSIONS = new Set([2, 3]);
const DEFAULT_ALIGNMENT = 32;
const CHUNK_BYTES = 1 << 20;
const INT64_MAX = (1n << 63n) - 1n;

const STRING_TYPE = 8;
const ARRAY_TYPE = 9;
const U32_TYPE = 4;
/** Bytes of each fixed-size GGUF value type: u8 i8 u16 i16 u32 i32 f32 bool _ _ u64 i64 f64. */
const FIXED_VALUE_BYTES: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
/** Smallest possible encodings, to refuse counts the rest of the file cannot hold. */
const MIN_KEY_VALUE_BYTES = 8 + 4 + 1;
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

class HeaderProblem extends Error {
  readonly code: ModelProblemCode;
  constructor(code: ModelProblemCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Sequential reads from the start of a file, never past its end, never more than one chunk (or one capped string) at a time. */
class HeaderReader {
  private readonly file: FileHandle;
  readonly size: number;
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;
  private bufferLength = 0;
  position = 0;

  constructor(file: FileHandle, size: number) {
    this.file = file;
    this.size = size;
  }

  get remaining(): number {
    return this.size - this.position;
  }

  async bytes(count: number, what: string): Promise<Buffer> {
    this.need(count, what);
    const offset = this.position - this.bufferStart;
    if (offset < 0 || offset + count > this.bufferLength) await this.fill(count);
    const start = this.position - this.bufferStart;
    this.position += count;
    return this.buffer.subarray(start, start + count);
  }

  skip(count: number, what: string): void {
    this.need(count, what);
    this.position += count;
  }

  async u32(what: string): Promise<number> {
    return (await this.bytes(4, what)).readUInt32LE(0);
  }

  async u64(what: string): Promise<bigint> {
    return (await this.bytes(8, what)).readBigUInt64LE(0);
  }

  /** A length-prefixed string's byte length, checked against `max` and the end of the file. */
  async stringLength(what: string, max: number): Promise<number> {
    const length = await this.u64(`${what} length`);
    if (length > BigInt(max)) throw new HeaderProblem('BAD_HEADER', `${what} is ${length} bytes long (at most ${max} allowed) at byte ${this.position - 8}`);
    this.need(Number(length), what);
    return Number(length);
  }

  /**
   * Skips `count` length-prefixed strings (an array of them) reading only their lengths, straight
   * from the buffer: the worst case is 16 M empty strings, so nothing is awaited or formatted per
   * item unless it is refused.
   */
  async skipStrings(count: number, max: number, what: (index: number) => string): Promise<void> {
    for (let index = 0; index < count; index++) {
      let offset = this.position - this.bufferStart;
      if (offset < 0 || offset + 8 > this.bufferLength) {
        this.need(8, `${what(index)} length`);
        await this.fill(8);
        offset = 0;
      }
      const low = this.buffer.readUInt32LE(offset);
      const high = this.buffer.readUInt32LE(offset + 4);
      this.position += 8;
      if (high !== 0 || low > max) {
        const length = (BigInt(high) << 32n) | BigInt(low);
        throw new HeaderProblem('BAD_HEADER', `${what(index)} is ${length} bytes long (at most ${max} allowed) at byte ${this.position - 8}`);
      }
      if (low > this.remaining) this.need(low, what(index));
      this.position += low;
    }
  }

  async string(what: string, max: number): Promise<string> {
    const length = await this.stringLength(what, max);
    return (await this.bytes(length, what)).toString('utf8');
  }

  private need(count: number, what: string): void {
    if (count > this.remaining) {
      throw new HeaderProblem('TRUNCATED', `the file ends inside the header: ${what} needs ${count} bytes at byte ${this.position}, the file has ${this.size}`);
    }
  }

  private async fill(count: number): Promise<void> {
    const length = Math.min(Math.max(count, CHUNK_BYTES), this.remaining);
    if (this.buffer.length < length) this.buffer = Buffer.alloc(length);
    const { bytesRead } = await this.file.read(this.buffer, 0, length, this.position);
    if (bytesRead < count) throw new HeaderProblem('TRUNCATED', `the file changed while it was read at byte ${this.position}`);
    this.bufferStart = this.position;
    this.bufferLength = bytesRead;
  }
}

/** Checks the header of the GGUF file at `path`: null when it is sound, otherwise the problem. */
export async function validateGgufHeader(path: string): Promise<ModelProblem | null> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    await readHeader(new HeaderReader(file, size));
    return null;
  } catch (error) {
    if (error instanceof HeaderProblem) return { code: error.code, message: error.message };
    throw error;
  } finally {
    await file.close();
  }
}

async function readHeader(reader: HeaderReader): Promise<void> {
  if (reader.size < 4) throw new HeaderProblem('NOT_GGUF', `not a readable GGUF file: ${reader.size} bytes is too short`);
  const magic = (await reader.bytes(4, 'magic')).toString('latin1');
  if (magic !== MAGIC) throw new HeaderProblem('NOT_GGUF', `not a readable GGUF file: it starts with ${JSON.stringify(magic)}, not "GGUF"`);
  const version = await reader.u32('version');
  if (!SUPPORTED_VERSIONS.has(version)) throw new HeaderProblem('UNSUPPORTED_VERSION', `GGUF version ${version} is not supported (2 and 3 are)`);
  const tensorCount = await readCount(reader, 'tensor count', GGUF_LIMITS.maxTensors, MIN_TENSOR_INFO_BYTES);
  const keyValueCount = await readCount(reader, 'metadata count', GGUF_LIMITS.maxKeyValues, MIN_KEY_VALUE_BYTES);

  let alignment = DEFAULT_ALIGNMENT;
  const keys = new Set<string>();
  for (let index = 0; index < keyValueCount; index++) {
    const key = await reader.string(`metadata key ${index}`, GGUF_LIMITS.maxKeyBytes);
    if (keys.has(key)) throw new HeaderProblem('BAD_HEADER', `metadata key ${JSON.stringify(key)} appears twice`);
    keys.add(key);
    const type = await reader.u32(`type of ${key}`);
    if (key === 'general.alignment') {
      if (type !== U32_TYPE) throw new HeaderProblem('BAD_HEADER', `general.alignment has value type ${type}, not u32`);
      alignment = await reader.u32(key);
      if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw new HeaderProblem('BAD_HEADER', `general.alignment ${alignment} is not a power of two`);
    } else {
      await skipValue(reader, key, type);
    }
  }

  if (tensorCount === 0) throw new HeaderProblem('NO_TENSORS', 'the file holds no tensors');
  const tensors: { name: string; offset: bigint; bytes: bigint }[] = [];
  const names = new Set<string>();
  for (let index = 0; index < tensorCount; index++) {
    const name = await reader.string(`tensor ${index} name`, GGUF_LIMITS.maxTensorNameBytes);
    if (names.has(name)) throw new HeaderProblem('BAD_HEADER', `tensor ${JSON.stringify(name)} appears twice`);
    names.add(name);
    const dimCount = await reader.u32(`dimension count of ${name}`);
    if (dimCount < 1 || dimCount > GGUF_LIMITS.maxDims) throw new HeaderProblem('BAD_HEADER', `tensor ${name} has ${dimCount} dimensions (1 to ${GGUF_LIMITS.maxDims} allowed)`);
    const dims: bigint[] = [];
    let elements = 1n;
    for (let d = 0; d < dimCount; d++) {
      const dim = await reader.u64(`dimension ${d} of ${name}`);
      elements *= dim;
      if (dim === 0n || dim > INT64_MAX || elements > INT64_MAX) throw new HeaderProblem('BAD_HEADER', `tensor ${name} has impossible dimensions`);
      dims.push(dim);
    }
    const ggmlType = await reader.u32(`type of ${name}`);
    const blockSize = ggmlBlockSize(ggmlType);
    const bytes = tensorByteSize(ggmlType, dims);
    if (blockSize === null || bytes === null) throw new HeaderProblem('BAD_HEADER', `tensor ${name} has unknown type ${ggmlType}`);
    if ((dims[0] ?? 0n) % BigInt(blockSize) !== 0n) throw new HeaderProblem('BAD_HEADER', `tensor ${name}: first dimension ${dims[0]} is not a multiple of its block size ${blockSize}`);
    const offset = await reader.u64(`offset of ${name}`);
    if (offset % BigInt(alignment) !== 0n) throw new HeaderProblem('BAD_HEADER', `tensor ${name} is at offset ${offset}, not a multiple of the alignment ${alignment}`);
    tensors.push({ name, offset, bytes });
  }

  const dataStart = BigInt(Math.ceil(reader.position / alignment) * alignment);
  for (const tensor of tensors) {
    const end = dataStart + tensor.offset + tensor.bytes;
    if (end > BigInt(reader.size)) {
      throw new HeaderProblem('TRUNCATED', `the file is truncated: tensor ${tensor.name} ends at byte ${end}, the file has ${reader.size}`);
    }
  }
}

async function readCount(reader: HeaderReader, what: string, max: number, minBytesEach: number): Promise<number> {
  const count = await reader.u64(what);
  if (count > BigInt(max)) throw new HeaderProblem('BAD_HEADER', `the ${what} is ${count} (at most ${max} allowed)`);
  if (count * BigInt(minBytesEach) > BigInt(reader.remaining)) {
    throw new HeaderProblem('TRUNCATED', `the ${what} is ${count}, more than the remaining ${reader.remaining} bytes can hold`);
  }
  return Number(count);
}

async function skipValue(reader: HeaderReader, key: string, type: number): Promise<void> {
  if (type === STRING_TYPE) {
    reader.skip(await reader.stringLength(`value of ${key}`, GGUF_LIMITS.maxStringBytes), `value of ${key}`);
    return;
  }
  if (type !== ARRAY_TYPE) {
    const bytes = FIXED_VALUE_BYTES[type];
    if (bytes === undefined) throw new HeaderProblem('BAD_HEADER', `metadata ${key} has unknown value type ${type}`);
    reader.skip(bytes, `value of ${key}`);
    return;
  }
  const itemType = await reader.u32(`item type of ${key}`);
  const count = await reader.u64(`item count of ${key}`);
  if (count > BigInt(GGUF_LIMITS.maxArrayItems)) throw new HeaderProblem('BAD_HEADER', `metadata ${key} claims ${count} items (at most ${GGUF_LIMITS.maxArrayItems} allowed)`);
  const items = Number(count);
  if (itemType === STRING_TYPE) {
    if (items * 8 > reader.remaining) throw new HeaderProblem('TRUNCATED', `metadata ${key} claims ${items} strings, more than the remaining ${reader.remaining} bytes can hold`);
    await reader.skipStrings(items, GGUF_LIMITS.maxStringBytes, (index) => `item ${index} of ${key}`);
    return;
  }
  const itemBytes = FIXED_VALUE_BYTES[itemType];
  if (itemBytes === undefined) throw new HeaderProblem('BAD_HEADER', `metadata ${key} is an array of unsupported type ${itemType}`);
  reader.skip(items * itemBytes, `items of ${key}`);
}
