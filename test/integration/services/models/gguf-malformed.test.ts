// A corpus of malformed GGUF files, generated here, against the strict header check and a real
// host: every file refused with a reason before llama.cpp sees it, the host still answering after.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '#shared/models.ts';
import { GGUF_LIMITS, validateGgufHeader } from '../../../../electron/services/models/gguf/validate.ts';
import { ensureFixtureModels, MALFORMED_CASES, SCRIPTED_REPLY, writeEmptyStringArray, writeTruncated, writeValidBase } from '../../../fixtures/gguf/index.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';
import { newJobId } from '#shared/chat.ts';

const u32 = (value: number): Buffer => Buffer.from(new Uint32Array([value]).buffer);
const u64 = (value: bigint): Buffer => Buffer.from(new BigUint64Array([value]).buffer);
/** A GGUF string: u64 byte length, then the bytes. */
const key = (text: string): Buffer => Buffer.concat([u64(BigInt(Buffer.byteLength(text))), Buffer.from(text)]);

/** A tiny hand-assembled GGUF v3 file: one metadata string, one F32 tensor of 8 values, patchable field by field. */
function rawGguf(
  overrides: {
    magic?: string;
    version?: number;
    tensorCount?: bigint;
    keyValues?: Buffer[];
    tensorName?: string;
    dims?: bigint[];
    ggmlType?: number;
    offset?: bigint;
    dataBytes?: number;
  } = {},
): Buffer {
  const keyValues = overrides.keyValues ?? [Buffer.concat([key('general.architecture'), u32(8), key('llama')])];
  const dims = overrides.dims ?? [8n];
  const header = Buffer.concat([
    Buffer.from(overrides.magic ?? 'GGUF', 'latin1'),
    u32(overrides.version ?? 3),
    u64(overrides.tensorCount ?? 1n),
    u64(BigInt(keyValues.length)),
    ...keyValues,
    key(overrides.tensorName ?? 'token_embd.weight'),
    u32(dims.length),
    ...dims.map(u64),
    u32(overrides.ggmlType ?? 0),
    u64(overrides.offset ?? 0n),
  ]);
  const padded = Math.ceil(header.length / 32) * 32;
  return Buffer.concat([header, Buffer.alloc(padded - header.length), Buffer.alloc(overrides.dataBytes ?? 32, 1)]);
}

/** Hostile headers the fixture writers do not make, each with the problem code it must get. */
const HANDMADE: readonly { name: string; bytes: Buffer; code: string }[] = [
  { name: 'version 1', bytes: rawGguf({ version: 1 }), code: 'UNSUPPORTED_VERSION' },
  { name: 'version 4', bytes: rawGguf({ version: 4 }), code: 'UNSUPPORTED_VERSION' },
  { name: 'big-endian', bytes: rawGguf({ version: 0x03000000 }), code: 'UNSUPPORTED_VERSION' },
  { name: 'magic in lower case', bytes: rawGguf({ magic: 'gguf' }), code: 'NOT_GGUF' },
  { name: 'no tensors', bytes: rawGguf({ tensorCount: 0n }), code: 'NO_TENSORS' },
  { name: 'tensor count 2^64-1', bytes: rawGguf({ tensorCount: (1n << 64n) - 1n }), code: 'BAD_HEADER' },
  { name: 'tensor count 60000 in a tiny file', bytes: rawGguf({ tensorCount: 60_000n }), code: 'TRUNCATED' },
  { name: 'array of 2^63 items', bytes: rawGguf({ keyValues: [Buffer.concat([key('tokenizer.ggml.scores'), u32(9), u32(6), u64(1n << 63n)])] }), code: 'BAD_HEADER' },
  { name: 'array of 1M floats in a tiny file', bytes: rawGguf({ keyValues: [Buffer.concat([key('tokenizer.ggml.scores'), u32(9), u32(6), u64(1_000_000n)])] }), code: 'TRUNCATED' },
  { name: 'array of 1M strings in a tiny file', bytes: rawGguf({ keyValues: [Buffer.concat([key('tokenizer.ggml.tokens'), u32(9), u32(8), u64(1_000_000n)])] }), code: 'TRUNCATED' },
  { name: 'string item of 2^32 bytes', bytes: rawGguf({ keyValues: [Buffer.concat([key('tokenizer.ggml.tokens'), u32(9), u32(8), u64(1n), u64(1n << 32n)])] }), code: 'BAD_HEADER' },
  { name: 'string item of 17 MiB', bytes: rawGguf({ keyValues: [Buffer.concat([key('tokenizer.ggml.tokens'), u32(9), u32(8), u64(1n), u64(17n << 20n)])] }), code: 'BAD_HEADER' },
  { name: 'string item past the end', bytes: rawGguf({ keyValues: [Buffer.concat([key('tokenizer.ggml.tokens'), u32(9), u32(8), u64(2n), u64(0n), u64(100_000n)])] }), code: 'TRUNCATED' },
  { name: 'array of arrays', bytes: rawGguf({ keyValues: [Buffer.concat([key('nested'), u32(9), u32(9), u64(1n)])] }), code: 'BAD_HEADER' },
  { name: 'unknown value type', bytes: rawGguf({ keyValues: [Buffer.concat([key('general.x'), u32(13), u32(0)])] }), code: 'BAD_HEADER' },
  { name: 'string value 2^62 bytes', bytes: rawGguf({ keyValues: [Buffer.concat([key('general.name'), u32(8), u64(1n << 62n)])] }), code: 'BAD_HEADER' },
  { name: 'string value past the end', bytes: rawGguf({ keyValues: [Buffer.concat([key('general.name'), u32(8), u64(100_000n)])] }), code: 'TRUNCATED' },
  { name: 'duplicate key', bytes: rawGguf({ keyValues: [Buffer.concat([key('general.a'), u32(4), u32(1)]), Buffer.concat([key('general.a'), u32(4), u32(2)])] }), code: 'BAD_HEADER' },
  { name: 'alignment 3', bytes: rawGguf({ keyValues: [Buffer.concat([key('general.alignment'), u32(4), u32(3)])] }), code: 'BAD_HEADER' },
  { name: 'alignment as a string', bytes: rawGguf({ keyValues: [Buffer.concat([key('general.alignment'), u32(8), key('32')])] }), code: 'BAD_HEADER' },
  { name: 'tensor name of 64 bytes', bytes: rawGguf({ tensorName: 'x'.repeat(64) }), code: 'BAD_HEADER' },
  { name: 'tensor with 5 dimensions', bytes: rawGguf({ dims: [8n, 1n, 1n, 1n, 1n] }), code: 'BAD_HEADER' },
  { name: 'tensor with 0 dimensions', bytes: rawGguf({ dims: [] }), code: 'BAD_HEADER' },
  { name: 'tensor dimension 0', bytes: rawGguf({ dims: [0n] }), code: 'BAD_HEADER' },
  { name: 'tensor dimension 2^63', bytes: rawGguf({ dims: [1n << 63n] }), code: 'BAD_HEADER' },
  { name: 'tensor element count overflows int64', bytes: rawGguf({ dims: [1n << 32n, 1n << 32n] }), code: 'BAD_HEADER' },
  { name: 'unknown tensor type', bytes: rawGguf({ ggmlType: 4 }), code: 'BAD_HEADER' },
  { name: 'Q4_0 tensor of 8 values', bytes: rawGguf({ ggmlType: 2 }), code: 'BAD_HEADER' },
  { name: 'misaligned tensor offset', bytes: rawGguf({ offset: 3n }), code: 'BAD_HEADER' },
  { name: 'tensor offset 2^63', bytes: rawGguf({ offset: 1n << 63n }), code: 'TRUNCATED' },
  { name: 'tensor data 4 bytes short', bytes: rawGguf({ dataBytes: 28 }), code: 'TRUNCATED' },
];

/** The bound for refusing one malformed file (a generous upper bound, not a speed measure). */
const REFUSAL_BOUND_MS = 5_000;

/** Offsets to cut the valid base at: every byte of the fixed fields, then across the whole file. */
function truncationOffsets(size: number): number[] {
  const offsets = new Set<number>();
  for (let offset = 0; offset <= 40; offset++) offsets.add(offset);
  for (let offset = 41; offset < size; offset += Math.ceil(size / 80)) offsets.add(offset);
  offsets.add(size - 1);
  return [...offsets].sort((a, b) => a - b);
}

let dir: string;
let scripted: string;
const corpus: { name: string; path: string; code?: string }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-malformed-'));
  ({ scripted } = await ensureFixtureModels());
  const base = join(dir, 'base.gguf');
  await writeValidBase(base);
  const { size } = await stat(base);
  for (const offset of truncationOffsets(size)) {
    const path = join(dir, `cut-at-${offset}.gguf`);
    await writeTruncated(path, base, offset);
    corpus.push({ name: `cut at byte ${offset} of ${size}`, path });
  }
  for (const malformed of MALFORMED_CASES) {
    const path = join(dir, `case-${malformed.name.replace(/\W+/g, '-')}.gguf`);
    await malformed.write(path);
    corpus.push({ name: malformed.name, path });
  }
  for (const handmade of HANDMADE) {
    const path = join(dir, `handmade-${handmade.name.replace(/\W+/g, '-')}.gguf`);
    await writeFile(path, handmade.bytes);
    corpus.push({ name: handmade.name, path, code: handmade.code });
  }
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('strict GGUF header check', () => {
  it('accepts sound files: the fixture models and the hand-assembled base', async () => {
    const sound = join(dir, 'sound.gguf');
    await writeFile(sound, rawGguf());
    for (const path of [scripted, join(dir, 'base.gguf'), sound]) expect(await validateGgufHeader(path)).toBeNull();
  });

  it('refuses every file of the corpus with a reason', async () => {
    const timings: number[] = [];
    for (const file of corpus) {
      const started = performance.now();
      const problem = await validateGgufHeader(file.path);
      const elapsed = performance.now() - started;
      timings.push(elapsed);
      expect(elapsed, file.name).toBeLessThan(REFUSAL_BOUND_MS);
      expect(problem, file.name).not.toBeNull();
      expect(problem?.message.length, file.name).toBeGreaterThan(10);
      if (file.code !== undefined) expect(problem?.code, `${file.name}: ${problem?.message}`).toBe(file.code);
    }
    timings.sort((a, b) => a - b);
    console.info(`gguf-validate: ${corpus.length} malformed files refused; per file median ${timings[timings.length >> 1]?.toFixed(2)} ms, max ${timings.at(-1)?.toFixed(2)} ms`);
  });

  it('refuses its worst case, 16 M empty strings walked one by one, within the bound', async () => {
    const path = join(dir, 'worst-case-16M-empty-strings.gguf');
    await writeEmptyStringArray(path, GGUF_LIMITS.maxArrayItems);
    try {
      const started = performance.now();
      const problem = await validateGgufHeader(path);
      const elapsed = performance.now() - started;
      expect(problem).toMatchObject({ code: 'TRUNCATED', message: expect.stringContaining('token_embd.weight') });
      expect(elapsed).toBeLessThan(REFUSAL_BOUND_MS);
      console.info(`gguf-validate: worst case (${GGUF_LIMITS.maxArrayItems} empty strings, ${((await stat(path)).size / 2 ** 20).toFixed(0)} MiB) refused in ${elapsed.toFixed(0)} ms`);
    } finally {
      await rm(path, { force: true });
    }
  }, 60_000);
});

describe('a real host given the whole corpus', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await createTestHost([scripted, ...corpus.map((file) => file.path)]);
  }, 60_000);
  afterAll(async () => {
    await t.dispose();
  });

  it('lists every malformed file as unusable, refuses to load each, and still answers with the scripted model', async () => {
    const started = performance.now();
    const listed = await t.host.call('models.rescan', {});
    const scanMs = performance.now() - started;
    expect(listed.ok).toBe(true);
    const models = (listed as { ok: true; result: ModelInfo[] }).result;
    expect(models).toHaveLength(corpus.length + 1);
    const unusable = models.filter((model) => model.problem !== null);
    expect(unusable).toHaveLength(corpus.length);
    for (const model of unusable) {
      expect(await t.host.call('chat.generate', { jobId: newJobId(), modelId: model.id, messages: [{ role: 'user', content: 'hi' }] })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_MODEL', details: { problem: model.problem?.code } },
      });
    }
    console.info(`host: ${unusable.length} malformed files listed as unusable in one rescan of ${scanMs.toFixed(0)} ms`);

    const pid = t.host.services.engine.pid;
    const scriptedId = models.find((model) => model.problem === null)?.id as string;
    const answer = await t.host.call('chat.generate', { jobId: newJobId(), modelId: scriptedId, messages: [{ role: 'user', content: 'Still there?' }] });
    expect(answer.ok).toBe(true);
    const { jobId } = (answer as { ok: true; result: { jobId: string } }).result;
    expect((await t.waitFor('chat.done', (done) => done.jobId === jobId)).text).toBe(SCRIPTED_REPLY);
    expect(t.host.services.engine.pid).toBe(pid);
  }, 60_000);
});
