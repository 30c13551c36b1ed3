/** The GGUF fixture writer, checked against node-llama-cpp's own GGUF reader. */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildVocabulary,
  byteLevelEncode,
  createRng,
  decodeTensor,
  encodeTensor,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  GGUF_HEADER_FIELDS,
  IM_END,
  MALFORMED_CASES,
  SCRIPTED_REPLY_TOKENS,
  tensorByteSize,
  writeBadMagic,
  writeBadVersion,
  writeGguf,
  writeHugeCount,
  writeNotGguf,
  writeOversizedString,
  writeRandomLlamaModel,
  writeScriptedModel,
  writeTensorPastEof,
  writeTruncated,
  writeValidBase,
} from '../fixtures/gguf/index.ts';
import type { GgmlTensorType, GgufMetadataEntry, GgufTensorSpec } from '../fixtures/gguf/index.ts';

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-gguf-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function randomValues(count: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: count }, () => (rng() / 0x100000000 - 0.5) * 2 * scale);
}

/** Reads a nested metadata value such as metadata.test.u64 by its dotted GGUF key. */
function metadataValue(metadata: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], metadata);
}

const GGML_TYPE_IDS: Record<GgmlTensorType, number> = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 };

describe('writeGguf round-trips through readGgufFileInfo', () => {
  const metadata: GgufMetadataEntry[] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'Round Trip ✓' }],
    ['test.u8', { type: 'u8', value: 255 }],
    ['test.i8', { type: 'i8', value: -128 }],
    ['test.u16', { type: 'u16', value: 65535 }],
    ['test.i16', { type: 'i16', value: -32768 }],
    ['test.u32', { type: 'u32', value: 4_000_000_000 }],
    ['test.i32', { type: 'i32', value: -2_000_000_000 }],
    ['test.u64', { type: 'u64', value: 1n << 60n }],
    ['test.i64', { type: 'i64', value: -5 }],
    ['test.f32', { type: 'f32', value: 0.1 }],
    ['test.f64', { type: 'f64', value: 0.1 }],
    ['test.yes', { type: 'bool', value: true }],
    ['test.no', { type: 'bool', value: false }],
    ['test.empty', { type: 'string', value: '' }],
    ['test.strings', { type: 'array', itemType: 'string', value: ['Ġworld', '<|im_end|>', ''] }],
    ['test.i32s', { type: 'array', itemType: 'i32', value: [1, -2, 3] }],
    ['test.f32s', { type: 'array', itemType: 'f32', value: new Float32Array([0.5, -1.5]) }],
    ['test.bools', { type: 'array', itemType: 'bool', value: [true, false] }],
    ['test.nothing', { type: 'array', itemType: 'string', value: [] }],
  ];

  const tensors: GgufTensorSpec[] = [
    { name: 'a.f32', dims: [3], type: 'F32', data: new Float32Array([1, 2, 3]) },
    { name: 'b.f16', dims: [5, 3], type: 'F16', data: randomValues(15, 1) },
    { name: 'c.q8_0', dims: [64, 3], type: 'Q8_0', data: randomValues(192, 2) },
    { name: 'd.q4_0', dims: [32, 2, 2], type: 'Q4_0', data: encodeTensor(randomValues(128, 3), 'Q4_0') },
  ];

  it('reads back every metadata value with its type', async () => {
    await writeGguf(file('meta.gguf'), { metadata, tensors: [] });
    const info = await readGgufFileInfo(file('meta.gguf'), { logWarnings: false });
    expect(info.version).toBe(3);
    expect(info.tensorCount).toBe(0);
    const read = (key: string) => metadataValue(info.metadata, key);
    expect(read('general.name')).toBe('Round Trip ✓');
    expect(read('test.u8')).toBe(255);
    expect(read('test.i8')).toBe(-128);
    expect(read('test.u16')).toBe(65535);
    expect(read('test.i16')).toBe(-32768);
    expect(read('test.u32')).toBe(4_000_000_000);
    expect(read('test.i32')).toBe(-2_000_000_000);
    expect(read('test.u64')).toBe(1n << 60n);
    expect(read('test.i64')).toBe(-5n); // node-llama-cpp keeps i64 as bigint
    expect(read('test.f32')).toBe(Math.fround(0.1));
    expect(read('test.f64')).toBe(0.1);
    expect(read('test.yes')).toBe(true);
    expect(read('test.no')).toBe(false);
    expect(read('test.empty')).toBe('');
    expect(read('test.strings')).toEqual(['Ġworld', '<|im_end|>', '']);
    expect(read('test.i32s')).toEqual([1, -2, 3]);
    expect(read('test.f32s')).toEqual([0.5, -1.5]);
    expect(read('test.bools')).toEqual([true, false]);
    expect(read('test.nothing')).toEqual([]);
  });

  it('reads back tensor names, dims, types, aligned offsets and the exact data bytes', async () => {
    await writeGguf(file('tensors.gguf'), { metadata, tensors });
    const info = await readGgufFileInfo(file('tensors.gguf'), { logWarnings: false });
    const bytes = await readFile(file('tensors.gguf'));
    expect(info.tensorInfo?.map((t) => [t.name, t.dimensions, t.ggmlType])).toEqual(
      tensors.map((t) => [t.name, t.dims, GGML_TYPE_IDS[t.type]]),
    );
    for (const [index, tensor] of tensors.entries()) {
      const offset = Number(info.tensorInfo?.[index]?.fileOffset);
      expect(offset % 32).toBe(0);
      const size = tensorByteSize(tensor.dims, tensor.type);
      const expected = tensor.data instanceof Float32Array ? encodeTensor(tensor.data, tensor.type) : tensor.data;
      expect(new Uint8Array(bytes.subarray(offset, offset + size))).toEqual(expected);
    }
    const last = tensors.at(-1);
    const lastOffset = Number(info.tensorInfo?.at(-1)?.fileOffset);
    expect(bytes.length).toBe(lastOffset + (last ? tensorByteSize(last.dims, last.type) : 0));
  });

  it('honours a custom alignment and records it as general.alignment', async () => {
    await writeGguf(file('aligned.gguf'), { metadata, tensors, alignment: 64 });
    const info = await readGgufFileInfo(file('aligned.gguf'), { logWarnings: false });
    expect(metadataValue(info.metadata, 'general.alignment')).toBe(64);
    for (const tensor of info.tensorInfo ?? []) expect(Number(tensor.fileOffset) % 64).toBe(0);
  });

  it('streams tensor data from a generator, byte-identical to in-memory data', async () => {
    const values = randomValues(32 * 100, 4);
    const encoded = encodeTensor(values, 'Q8_0');
    function* chunks(): Generator<Uint8Array> {
      for (let at = 0; at < encoded.length; at += 1000) yield encoded.subarray(at, at + 1000);
    }
    const spec = (data: GgufTensorSpec['data']) => ({ metadata, tensors: [{ name: 'w', dims: [32, 100], type: 'Q8_0' as const, data }] });
    await writeGguf(file('memory.gguf'), spec(values));
    await writeGguf(file('streamed.gguf'), spec(chunks));
    expect(await readFile(file('streamed.gguf'))).toEqual(await readFile(file('memory.gguf')));
  });

  it('refuses data of the wrong size, values out of range and unaligned quantized rows', async () => {
    const tensor = (data: GgufTensorSpec['data']): GgufTensorSpec => ({ name: 'w', dims: [32, 2], type: 'F32', data });
    await expect(writeGguf(file('short.gguf'), { metadata: [], tensors: [tensor(new Float32Array(63))] })).rejects.toThrow(/needs 256/);
    await expect(writeGguf(file('long.gguf'), { metadata: [], tensors: [tensor(new Uint8Array(300))] })).rejects.toThrow(/needs 256/);
    await expect(writeGguf(file('u8.gguf'), { metadata: [['x', { type: 'u8', value: 256 }]], tensors: [] })).rejects.toThrow(RangeError);
    await expect(writeGguf(file('i32.gguf'), { metadata: [['x', { type: 'i32', value: 1.5 }]], tensors: [] })).rejects.toThrow(RangeError);
    expect(() => tensorByteSize([48, 2], 'Q4_0')).toThrow(/multiple of 32/);
  });
});

describe('number formats', () => {
  it('converts to half precision like ggml (round to nearest even, subnormals, overflow)', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(0.1)).toBe(0x2e66);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(float32ToFloat16Bits(Number.NaN) & 0x7e00).toBe(0x7e00);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float32ToFloat16Bits(2 ** -26)).toBe(0x0000);
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie, rounds to even
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, rounds to even
    for (const bits of [0x0001, 0x03ff, 0x0400, 0x3555, 0x7bff, 0xbc00]) {
      expect(float32ToFloat16Bits(float16BitsToFloat32(bits))).toBe(bits);
    }
  });

  it('encodes a Q8_0 block exactly like quantize_row_q8_0_ref', () => {
    const values = new Float32Array(32);
    values.set([127, -2.5, 2.5, -0.5, 0.49, -127]); // max |x| = 127, so d = 1
    const bytes = encodeTensor(values, 'Q8_0');
    expect(bytes.length).toBe(34);
    const view = new DataView(bytes.buffer);
    expect(view.getUint16(0, true)).toBe(0x3c00);
    // C's roundf rounds halves away from zero: -2.5 → -3, where Math.round would give -2.
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => view.getInt8(2 + i))).toEqual([127, -3, 3, -1, 0, -127, 0]);
  });

  it('encodes a Q4_0 block with ggml nibble order and sign convention', () => {
    const values = Float32Array.from({ length: 32 }, (_, i) => (i === 31 ? -8 : i % 8));
    const bytes = encodeTensor(values, 'Q4_0');
    expect(bytes.length).toBe(18);
    const d = float16BitsToFloat32(new DataView(bytes.buffer).getUint16(0, true));
    expect(d).toBe(1); // the value of largest magnitude is -8, and d = max / -8
    expect((bytes[2 + 1] ?? 0) & 0x0f).toBe(9); // element 1: 1 / d + 8
    expect((bytes[2 + 15] ?? 0) >> 4).toBe(0); // element 31 (-8) sits in the high nibble of byte 15
    expect(Array.from(decodeTensor(bytes, 'Q4_0'))).toEqual(Array.from(values));
  });

  it.each([
    ['F32', 0],
    ['F16', 1e-3],
    ['Q8_0', 0.5 / 127 + 1e-3],
    ['Q4_0', 1 / 8 + 1e-3],
  ] as const)('dequantizes %s back within its tolerance', (type, relativeTolerance) => {
    const values = randomValues(32 * 64, 9, 3);
    const decoded = decodeTensor(encodeTensor(values, type), type);
    expect(decoded.length).toBe(values.length);
    for (let block = 0; block < values.length; block += 32) {
      const slice = values.subarray(block, block + 32);
      const amax = Math.max(...Array.from(slice, Math.abs));
      for (let i = block; i < block + 32; i++) {
        expect(Math.abs((decoded[i] ?? 0) - (values[i] ?? 0))).toBeLessThanOrEqual(amax * relativeTolerance);
      }
    }
  });

  it('keeps zeros exact in every format', () => {
    for (const type of ['F32', 'F16', 'Q8_0', 'Q4_0'] as const) {
      // (ggml stores Q4_0's scale of an all-zero block as -0, so compare with ===, not Object.is.)
      expect(decodeTensor(encodeTensor(new Float32Array(64), type), type).every((v) => v === 0)).toBe(true);
    }
  });
});

describe('model builders', () => {
  it('builds a byte-level vocabulary with the script words and the merges that make them', () => {
    expect(byteLevelEncode(' world')).toBe('Ġworld');
    expect(byteLevelEncode('\n')).toBe('Ċ');
    expect(byteLevelEncode('é')).toBe('Ã©');
    const vocab = buildVocabulary([byteLevelEncode(' one')]);
    expect(vocab.tokens.slice(256, 259)).toEqual(['<|endoftext|>', '<|im_start|>', IM_END]);
    expect(vocab.types.slice(255, 260)).toEqual([1, 3, 3, 3, 1]);
    expect(vocab.merges).toEqual(['Ġ o', 'Ġo n', 'Ġon e']);
    expect(vocab.tokens.slice(259)).toEqual(['Ġo', 'Ġon', 'Ġone']);
  });

  it('writes the scripted model as a loadable llama model', async () => {
    await writeScriptedModel(file('scripted.gguf'));
    const info = await readGgufFileInfo(file('scripted.gguf'), { logWarnings: false });
    expect(info.metadata.general.architecture).toBe('llama');
    expect(info.metadata.general.name).toBe('Enclave Scripted');
    const tokens = metadataValue(info.metadata, 'tokenizer.ggml.tokens') as string[];
    for (const word of SCRIPTED_REPLY_TOKENS) expect(tokens).toContain(byteLevelEncode(word));
    expect(tokens[Number(metadataValue(info.metadata, 'tokenizer.ggml.eos_token_id'))]).toBe(IM_END);
    const embedding = metadataValue(info.metadata, 'llama.embedding_length') as number;
    expect(embedding).toBeGreaterThanOrEqual(tokens.length);
    expect(info.tensorInfo?.find((t) => t.name === 'output.weight')?.dimensions).toEqual([embedding, tokens.length]);
    expect((await stat(file('scripted.gguf'))).size).toBeLessThan(2 * 1024 * 1024);
  });

  it('writes random models deterministically from the seed', async () => {
    const options = { nEmbd: 64, nLayer: 2, nHead: 4, nHeadKv: 2, nFf: 96, nVocab: 300, type: 'Q4_0', seed: 1 } as const;
    await writeRandomLlamaModel(file('random-a.gguf'), options);
    await writeRandomLlamaModel(file('random-b.gguf'), options);
    await writeRandomLlamaModel(file('random-c.gguf'), { ...options, seed: 2 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((x) => readFile(file(`random-${x}.gguf`))));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const info = await readGgufFileInfo(file('random-a.gguf'), { logWarnings: false });
    expect(info.tensorCount).toBe(3 + 2 * 9);
    expect(info.tensorInfo?.find((t) => t.name === 'blk.1.attn_k.weight')?.dimensions).toEqual([64, 32]);
    expect(info.tensorInfo?.find((t) => t.name === 'blk.1.ffn_down.weight')?.ggmlType).toBe(GGML_TYPE_IDS.Q4_0);
    expect((metadataValue(info.metadata, 'tokenizer.ggml.tokens') as string[]).length).toBe(300);
  });
});

describe('malformed files', () => {
  const header = async (path: string) => new DataView((await readFile(path)).buffer);

  it('writes a text file and random bytes that readGgufFileInfo rejects as not GGUF', async () => {
    await writeNotGguf(file('text.gguf'));
    await writeNotGguf(file('random.gguf'), 'random', 1000);
    expect((await stat(file('random.gguf'))).size).toBe(1000);
    await expect(readGgufFileInfo(file('text.gguf'))).rejects.toThrow(/magic/i);
    await expect(readGgufFileInfo(file('random.gguf'))).rejects.toThrow(/magic/i);
  });

  it('breaks the magic, which readGgufFileInfo rejects', async () => {
    await writeBadMagic(file('magic.gguf'));
    expect((await readFile(file('magic.gguf'))).subarray(0, 4).toString()).toBe('GGXX');
    await expect(readGgufFileInfo(file('magic.gguf'))).rejects.toThrow(/magic/i);
  });

  it('sets the version field', async () => {
    await writeBadVersion(file('version.gguf'), 7);
    expect((await header(file('version.gguf'))).getUint32(GGUF_HEADER_FIELDS.version, true)).toBe(7);
  });

  it.each(['tensorCount', 'kvCount'] as const)('claims 2^63 for %s, which readGgufFileInfo rejects', async (field) => {
    await writeHugeCount(file(`${field}.gguf`), field);
    expect((await header(file(`${field}.gguf`))).getBigUint64(GGUF_HEADER_FIELDS[field], true)).toBe(1n << 63n);
    await expect(readGgufFileInfo(file(`${field}.gguf`), { logWarnings: false })).rejects.toThrow();
  });

  it('claims a 2^62-byte key, which readGgufFileInfo rejects', async () => {
    await writeOversizedString(file('string.gguf'));
    expect((await header(file('string.gguf'))).getBigUint64(GGUF_HEADER_FIELDS.firstKeyLength, true)).toBe(1n << 62n);
    await expect(readGgufFileInfo(file('string.gguf'), { logWarnings: false })).rejects.toThrow();
  });

  it('truncates a copy of a file', async () => {
    await writeValidBase(file('base.gguf'));
    await writeTruncated(file('cut.gguf'), file('base.gguf'), 1000);
    const [base, cut] = await Promise.all([readFile(file('base.gguf')), readFile(file('cut.gguf'))]);
    expect(cut).toEqual(base.subarray(0, 1000));
  });

  it.each(['offset', 'extent'] as const)('declares a tensor whose %s lies past the end of the file', async (how) => {
    await writeTensorPastEof(file(`past-${how}.gguf`), how);
    const info = await readGgufFileInfo(file(`past-${how}.gguf`), { logWarnings: false });
    const last = info.tensorInfo?.at(-1);
    const dims = (last?.dimensions ?? []).map(Number);
    const end = Number(last?.fileOffset) + tensorByteSize(dims, 'Q8_0');
    expect(end).toBeGreaterThan((await stat(file(`past-${how}.gguf`))).size);
  });

  it('writes every catalogued case to its path', async () => {
    for (const [index, malformed] of MALFORMED_CASES.entries()) {
      await malformed.write(file(`case-${index}.gguf`));
      await expect(stat(file(`case-${index}.gguf`))).resolves.toBeTruthy();
    }
    expect(new Set(MALFORMED_CASES.map((c) => c.name)).size).toBe(MALFORMED_CASES.length);
  });

  it('starts from a valid base file', async () => {
    await writeValidBase(file('valid.gguf'));
    const info = await readGgufFileInfo(file('valid.gguf'), { logWarnings: false });
    expect(info.metadata.general.architecture).toBe('llama');
  });
});
