/**
 * Workshop mode (issue #7) on loopback: 8 participants join with the code over HTTP and WebSocket
 * (as their browsers would), ask at once, see only their own answers and conversations, take fair
 * turns on the one engine, and are removed or cleared with the room. Real Host, real engine.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ServerFrame } from '../../shared/contract.ts';
import type { WorkshopStatus } from '../../shared/workshop.ts';
import { WORKSHOP_RATE_LIMIT } from '../../shared/workshop.ts';
import { endlessText, ensureFixtureModels } from '../fixtures/gguf/index.ts';
import { createTestHost, type TestHost } from '../support/test-host.ts';
import { directDispatcher, directFetch, freePort } from '../support/loopback.ts';
import { ContractClient } from '../support/web-host-process.ts';

const ENDLESS = 'enclave-endless.gguf';
const PARTICIPANTS = 8;

let testHost: TestHost;
let status: WorkshopStatus;
// Browsers in the room are other programs: they connect around the host's egress gate.
const request = (url: string, init: RequestInit = {}): Promise<Response> => directFetch(url, { redirect: 'manual', ...init });


async function trainer<T>(command: string, input: unknown = {}): Promise<T> {
  const outcome = await testHost.host.call(command, input);
  if (!outcome.ok) throw new Error(`${command}: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.result as T;
}

/** Joins like the browser form does; returns the cookie header. */
async function joinRoom(name: string, code: string): Promise<{ status: number; cookie: string | null }> {
  const response = await request(`${status.url}/workshop/join`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ code, name }).toString(),
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? null;
  return { status: response.status, cookie };
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`nothing at ${index}`);
  return item;
}

type Result = Extract<ServerFrame, { type: 'result' }>;
function resultOf<T>(frame: Result): T {
  if (!frame.ok) throw new Error(`${frame.error.code}: ${frame.error.message}`);
  return frame.result as T;
}

beforeAll(async () => {
  const models = await ensureFixtureModels();
  const rendererDir = join(tmpdir(), `enclave-workshop-renderer-${process.pid}`);
  await mkdir(rendererDir, { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Enclave</title><div id="root"></div>');
  testHost = await createTestHost([models.endless], { ENCLAVE_THREADS: '1' }, { rendererDir });
  expect((await trainer<WorkshopStatus>('workshop.status')).state).toBe('off');
  status = await trainer<WorkshopStatus>('workshop.start', { address: '127.0.0.1', port: await freePort() });
}, 60_000);

afterAll(async () => {
  await testHost?.dispose();
  await directDispatcher.close();
});

describe('workshop mode', () => {
  test('is refused on an address that is not this machine’s', async () => {
    const outcome = await testHost.host.call('workshop.start', { address: '203.0.113.9', port: 5999 });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(testHost.host.workshop.status().state).toBe('open');
  });

  test('shows the address, a join code and its QR code', () => {
    expect(status).toMatchObject({ state: 'open', participants: [] });
    expect(status.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(status.joinCode).toMatch(/^\d{6}$/);
    expect(status.qr?.length).toBeGreaterThanOrEqual(21);
  });

  test('refuses a wrong code and anyone without the cookie', async () => {
    const wrong = status.joinCode === '000000' ? '111111' : '000000';
    expect(await joinRoom('Mallory', wrong)).toEqual({ status: 403, cookie: null });
    const page = await request(`${status.url}/`);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/workshop/join');
    await expect(ContractClient.connect(status.url ?? '')).rejects.toThrow(/401/);
    await expect(ContractClient.connect(status.url ?? '', { Cookie: 'enclave_workshop=forged' })).rejects.toThrow(/401/);
  });

  test('8 participants ask at once: each sees only their own answers, in fair turns', async () => {
    const clients: ContractClient[] = [];
    for (let i = 0; i < PARTICIPANTS; i++) {
      const joined = await joinRoom(`P${i}`, status.joinCode ?? '');
      expect(joined.status).toBe(303);
      expect((await request(`${status.url}/`, { headers: { Cookie: joined.cookie ?? '' } })).status).toBe(200);
      clients.push(await ContractClient.connect(status.url ?? '', { Cookie: joined.cookie ?? '' }));
    }
    expect((await trainer<WorkshopStatus>('workshop.status')).participants.map((p) => p.name)).toEqual(clients.map((_, i) => `P${i}`));
    const info = resultOf<{ participant?: { name: string }; dataDir: string }>(await at(clients, 3).call('app.info', {}));
    expect(info).toMatchObject({ participant: { name: 'P3' }, dataDir: '' });

    const owner = new Map<string, number>();
    const doneOrder: number[] = [];
    const off = testHost.host.onEvent((event) => {
      if (event.event === 'chat.done') doneOrder.push(owner.get(event.payload.jobId) ?? -1);
    });
    const jobsOf: string[][] = clients.map(() => []);
    const ask = async (i: number, round: number, conversationId: string | null, parentId: string | null) => {
      const client = at(clients, i);
      const started = resultOf<{ jobId: string; saved: { conversationId: string; answer: { id: string } } }>(
        await client.call('chat.generate', { modelId: ENDLESS, sampling: { maxTokens: 6 }, conversation: { id: conversationId, parentId, content: `P${i} round ${round}` } }),
      );
      owner.set(started.jobId, i);
      at(jobsOf, i).push(started.jobId);
      const done = await client.waitForEvent((frame) => frame.event === 'chat.done' && (frame.payload as { jobId: string }).jobId === started.jobId);
      expect((done.payload as { text: string }).text).toBe(endlessText(6));
      return started.saved;
    };
    // Everyone asks at once, then asks again as soon as their answer is in.
    const conversations = await Promise.all(
      clients.map(async (_, i) => {
        const first = await ask(i, 1, null, null);
        await ask(i, 2, first.conversationId, first.answer.id);
        return first.conversationId;
      }),
    );
    off();

    expect(doneOrder).toHaveLength(2 * PARTICIPANTS);
    // Fair: everyone's first answer comes before anyone's second (nobody waits more than one turn beyond the others).
    expect(new Set(doneOrder.slice(0, PARTICIPANTS)).size).toBe(PARTICIPANTS);
    expect(new Set(doneOrder.slice(PARTICIPANTS)).size).toBe(PARTICIPANTS);

    for (const [i, client] of clients.entries()) {
      // Only their own job events ever reached them.
      const seenJobs = new Set(client.events.filter((frame) => frame.event.startsWith('chat.')).map((frame) => (frame.payload as { jobId: string }).jobId));
      expect([...seenJobs].sort()).toEqual([...at(jobsOf, i)].sort());
      // Their place in the queue was shown while they waited.
      const places = client.events.filter((frame) => frame.event === 'chat.queued').map((frame) => (frame.payload as { position: number }).position);
      for (const place of places) expect(place).toBeLessThanOrEqual(PARTICIPANTS);
      // Their conversations are their own.
      const list = resultOf<{ id: string; title: string }[]>(await client.call('conversations.list', {}));
      expect(list.map((conversation) => conversation.id)).toEqual([conversations[i]]);
      const other = conversations[(i + 1) % PARTICIPANTS];
      expect(await client.call('conversations.get', { id: other })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect(clients.filter((client) => client.events.some((frame) => frame.event === 'chat.queued')).length).toBeGreaterThanOrEqual(PARTICIPANTS - 1);
    // The trainer's own conversations are not theirs either.
    expect(await trainer<unknown[]>('conversations.list')).toEqual([]);

    const room = await trainer<WorkshopStatus>('workshop.status');
    expect(room.participants.map((p) => p.answers)).toEqual(Array(PARTICIPANTS).fill(2));
    expect(room.throughput.answers).toBeGreaterThanOrEqual(2 * PARTICIPANTS);
    expect(room.throughput.tokensPerSecond).toBeGreaterThan(0);

    // Not theirs to call.
    expect(await at(clients, 0).call('settings.update', { apiEnabled: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await at(clients, 0).call('workshop.reset', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await at(clients, 0).call('models.import', { paths: ['/etc'] })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await at(clients, 0).call('chat.stop', { jobId: at(jobsOf, 1)[0] })).toMatchObject({ ok: true, result: { stopped: false } });

    // A pushed prompt reaches everyone.
    await trainer('workshop.push', { text: 'Exercice 1 : résumez ce texte.' });
    for (const client of clients) {
      const pushed = await client.waitForEvent((frame) => frame.event === 'workshop.pushed');
      expect((pushed.payload as { text: string }).text).toBe('Exercice 1 : résumez ce texte.');
    }
    expect(resultOf<{ pushed: { text: string } }>(await at(clients, 5).call('workshop.me', {})).pushed.text).toBe('Exercice 1 : résumez ce texte.');

    // Rate limit: two answers used; the rest of the minute's allowance, then a refusal.
    const limited = at(clients, 7);
    let refused: Result | null = null;
    for (let n = 0; n < WORKSHOP_RATE_LIMIT.answers && refused === null; n++) {
      const frame = await limited.call('chat.generate', { modelId: ENDLESS, sampling: { maxTokens: 1 }, messages: [{ role: 'user', content: 'again' }] });
      if (!frame.ok) refused = frame;
      else await limited.waitForEvent((event) => event.event === 'chat.done' && (event.payload as { jobId: string }).jobId === (frame.result as { jobId: string }).jobId);
    }
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });

    // The trainer removes one participant: their connection closes and their cookie opens nothing.
    const removed = at(room.participants, 2);
    const closed = at(clients, 2).closed();
    await trainer('workshop.remove', { participantId: removed.id });
    expect(await closed).toBe(4003);
    expect((await trainer<WorkshopStatus>('workshop.status')).participants).toHaveLength(PARTICIPANTS - 1);

    // Reset: everyone out, their conversations gone, a new code.
    const oldCode = status.joinCode;
    const closings = clients.filter((_, i) => i !== 2).map((client) => client.closed());
    const after = await trainer<WorkshopStatus>('workshop.reset');
    expect(after.participants).toEqual([]);
    expect(after.joinCode).toMatch(/^\d{6}$/);
    expect(after.joinCode).not.toBe(oldCode);
    expect(existsSync(join(testHost.dataDir, 'workshop'))).toBe(false);
    expect(await Promise.all(closings)).toEqual(Array(PARTICIPANTS - 1).fill(4003));
    expect((await joinRoom('Late', oldCode ?? '')).status).toBe(403);
    const rejoined = await joinRoom('P0', after.joinCode ?? '');
    const fresh = await ContractClient.connect(after.url ?? '', { Cookie: rejoined.cookie ?? '' });
    expect(resultOf<unknown[]>(await fresh.call('conversations.list', {}))).toEqual([]);
    fresh.close();
  }, 120_000);

  test('closing the workshop stops listening', async () => {
    const closed = await trainer<WorkshopStatus>('workshop.stop');
    expect(closed).toMatchObject({ state: 'off', url: null, joinCode: null });
    await expect(request(`${status.url}/workshop/join`)).rejects.toThrow();
  });
});
