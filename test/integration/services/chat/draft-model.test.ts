/**
 * The chat service gives an answer its catalog draft model (speculative decoding) when the
 * model is a catalog download whose `draft` is in the library too, on a real engine process; the
 * library finds that draft only among usable catalog downloads.
 */
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnginePool } from '../../../../electron/engine/client/engine-pool.ts';
import { nodeEngineSpawner } from '../../../../electron/engine/client/spawn-node.ts';
import { ChatService, type ChatEvent } from '../../../../electron/services/chat/chat-service.ts';
import { Library } from '../../../../electron/services/models/library.ts';
import { writeManifest } from '../../../../electron/services/models/manifest.ts';
import { COPY_TEXT, COPY_TEXT_TOKENS, ensureFixtureModels } from '../../../fixtures/gguf/index.ts';
import { ENGINE_ENTRY } from '../../../support/test-host.ts';
import { waitUntil } from '../../../support/wait-until.ts';

/** The copying fixture under four names: a catalog model, its catalog draft, the draft unverified, and a file of no catalog entry. */
const TARGET = 'qwen2.5-3b.gguf';
const DRAFT = 'qwen2.5-0.5b.gguf';
const DRAFT_UNVERIFIED = 'qwen2.5-0.5b-partial.gguf';
const PLAIN = 'plain.gguf';

let dir: string;
let library: Library;
let engines: EnginePool;
let chat: ChatService;
const events: ChatEvent[] = [];

async function download(file: string, catalogId: string, verified: boolean): Promise<void> {
  const path = join(dir, file);
  await writeManifest(path, {
    version: 1,
    source: { kind: 'huggingface', repo: 'Qwen/fixture', file, revision: 'main' },
    catalogId,
    quant: 'Q8_0',
    parts: [{ fileName: file, sha256: null, sizeBytes: (await stat(path)).size }],
    verified,
    download: verified ? 'done' : 'paused',
    addedAt: new Date(0).toISOString(),
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'enclave-draft-'));
  const { copying } = await ensureFixtureModels();
  for (const file of [TARGET, DRAFT, DRAFT_UNVERIFIED, PLAIN]) await copyFile(copying, join(dir, file));
  await download(TARGET, 'qwen2.5-3b-instruct', true);
  await download(DRAFT, 'qwen2.5-0.5b-instruct', true);
  await download(DRAFT_UNVERIFIED, 'qwen2.5-0.5b-instruct', false);
  library = new Library(dir);
  await library.rescan();
  engines = new EnginePool({ spawn: nodeEngineSpawner(ENGINE_ENTRY), cores: 2, maxEngines: 1 });
  // 'on': this CPU would not draft by itself ('auto' drafts on GPUs only).
  chat = new ChatService(
    engines,
    library,
    (event) => events.push(event),
    undefined,
    () => 'on',
  );
});

afterAll(async () => {
  await engines?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function answer(modelId: string): Promise<Extract<ChatEvent, { event: 'chat.done' }>['payload']> {
  const { jobId } = await chat.generate({ modelId, messages: [{ role: 'user', content: 'Write the email to Anna about the contract.' }], sampling: { temperature: 0, maxTokens: 200 } });
  const found = await waitUntil(() => events.find((event) => (event.event === 'chat.done' || event.event === 'chat.error') && event.payload.jobId === jobId), `the answer ${jobId}`);
  if (found.event !== 'chat.done') throw new Error(`the answer failed: ${JSON.stringify(found)}`);
  return found.payload;
}

describe('draft models in the library', () => {
  it("finds a catalog model's draft among the usable downloads of that catalog entry only", () => {
    expect(library.draftOf(TARGET)?.info.id).toBe(DRAFT);
    // The draft itself names none; a file of no catalog entry has none.
    expect(library.draftOf(DRAFT)).toBeNull();
    expect(library.draftOf(PLAIN)).toBeNull();
    expect(library.find(DRAFT_UNVERIFIED)?.info.problem?.code).toBe('UNVERIFIED');
  });

  it('answers a catalog model with its draft model, its drafts accepted (the same model here)', async () => {
    const done = await answer(TARGET);
    expect(done.text).toBe(COPY_TEXT);
    expect(done.stats.draftRefused).toBeUndefined();
    // The prompt holds nothing of the answer: input lookup would draft nothing right.
    expect(done.stats.draftTokens?.accepted).toBeGreaterThanOrEqual(Math.floor(COPY_TEXT_TOKENS.length / 2));
  });

  it('answers a model without a draft by input lookup', async () => {
    const done = await answer(PLAIN);
    expect(done.text).toBe(COPY_TEXT);
    expect(done.stats.draftTokens?.accepted ?? 0).toBeLessThan(Math.floor(COPY_TEXT_TOKENS.length / 2));
  });
});
