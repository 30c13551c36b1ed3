/**
 * The end of a workshop room, as participants live it: removed, or the room closed, they are told
 * at once, may no longer ask, and keep their window to download their conversations for the grace
 * period; leaving (or the end of the grace) closes their connection for good and deletes their
 * folder. A closed room takes nobody new and stops listening once its last participant is gone.
 * Real Host, real engine, the default grace period.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { newJobId } from '#shared/chat.ts';
import type { ServerFrame } from '#shared/contract.ts';
import { WORKSHOP_GRACE_MS, WORKSHOP_LEFT_CLOSE_CODE, type WorkshopEnding, type WorkshopMe, type WorkshopStatus } from '#shared/workshop.ts';
import { ensureFixtureModels } from '../../../fixtures/gguf/index.ts';
import { directDispatcher, directFetch, freePort } from '../../../support/loopback.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';
import { waitUntil } from '../../../support/wait-until.ts';
import { ContractClient } from '../../../support/web-host-process.ts';

const ENDLESS = 'enclave-endless.gguf';
let testHost: TestHost;
let status: WorkshopStatus;
const request = (url: string, init: RequestInit = {}): Promise<Response> => directFetch(url, { redirect: 'manual', ...init });

async function trainer<T>(command: string, input: unknown = {}): Promise<T> {
  const outcome = await testHost.host.call(command, input);
  if (!outcome.ok) throw new Error(`${command}: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.result as T;
}

async function joinRoom(name: string): Promise<{ status: number; cookie: string }> {
  const response = await request(`${status.url}/workshop/join`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ code: status.joinCode ?? '', name }).toString(),
  });
  return { status: response.status, cookie: response.headers.get('set-cookie')?.split(';')[0] ?? '' };
}

/** A participant with one saved conversation. */
async function participant(name: string): Promise<{ client: ContractClient; id: string; cookie: string }> {
  const { cookie } = await joinRoom(name);
  const client = await ContractClient.connect(status.url ?? '', { Cookie: cookie });
  const asked = await client.call('chat.generate', { jobId: newJobId(), modelId: ENDLESS, sampling: { maxTokens: 4 }, conversation: { id: null, parentId: null, content: `${name} asks` } });
  expect(asked.ok).toBe(true);
  await client.waitForEvent((frame) => frame.event === 'chat.done');
  const room = await trainer<WorkshopStatus>('workshop.status');
  return { client, cookie, id: room.participants.find((entry) => entry.name === name)?.id ?? '' };
}

function resultOf<T>(frame: Extract<ServerFrame, { type: 'result' }>): T {
  if (!frame.ok) throw new Error(`${frame.error.code}: ${frame.error.message}`);
  return frame.result as T;
}

beforeAll(async () => {
  const models = await ensureFixtureModels();
  const rendererDir = join(tmpdir(), `enclave-workshop-grace-renderer-${process.pid}`);
  await mkdir(rendererDir, { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Enclave</title><div id="root"></div>');
  testHost = await createTestHost([models.endless], { ENCLAVE_THREADS: '1' }, { rendererDir });
  status = await trainer<WorkshopStatus>('workshop.start', { address: '127.0.0.1', port: await freePort() });
  expect(status.graceMs).toBe(WORKSHOP_GRACE_MS);
}, 60_000);

afterAll(async () => {
  await testHost?.dispose();
  await directDispatcher.close();
});

test('a removed participant is told, may no longer ask, downloads their conversations, then leaves: connection closed for good, folder deleted', async () => {
  const { client, id } = await participant('Léa');
  const other = await participant('Noé');
  const folder = join(testHost.dataDir, 'workshop', id);
  const told = client.waitForEvent((frame) => frame.event === 'workshop.ended');
  const before = Date.now();
  const room = await trainer<WorkshopStatus>('workshop.remove', { participantId: id });
  expect(room.participants.map((entry) => entry.name)).toEqual(['Noé']);

  const ending = (await told).payload as WorkshopEnding & { participantIds: string[] };
  expect(ending).toMatchObject({ reason: 'removed', participantIds: [id] });
  expect(Date.parse(ending.deleteAt)).toBeGreaterThanOrEqual(before + WORKSHOP_GRACE_MS);
  expect(resultOf<WorkshopMe>(await client.call('workshop.me', {})).ending).toEqual({ reason: 'removed', deleteAt: ending.deleteAt });
  // Nobody else is told.
  expect(resultOf<WorkshopMe>(await other.client.call('workshop.me', {})).ending).toBeNull();

  const refused = await client.call('chat.generate', { jobId: newJobId(), modelId: ENDLESS, messages: [{ role: 'user', content: 'one more' }] });
  expect(refused.ok ? null : refused.error.code).toBe('WORKSHOP_ENDED');
  const exported = resultOf<{ content: string }>(await client.call('conversations.exportAll', {}));
  expect(exported.content).toContain('Léa asks');
  expect(existsSync(folder)).toBe(true);

  const closed = client.closed();
  expect(resultOf<{ left: boolean }>(await client.call('workshop.leave', {}))).toEqual({ left: true });
  expect(await closed).toBe(WORKSHOP_LEFT_CLOSE_CODE);
  expect(existsSync(folder)).toBe(false);
  // Someone still in the room cannot leave that way.
  const stay = await other.client.call('workshop.leave', {});
  expect(stay.ok ? null : stay.error.code).toBe('FORBIDDEN');
  await trainer('workshop.remove', { participantId: other.id });
  const otherClosed = other.client.closed();
  await other.client.call('workshop.leave', {});
  expect(await otherClosed).toBe(WORKSHOP_LEFT_CLOSE_CODE);
}, 60_000);

test('closing the room: nobody new gets in, participants keep their window until they leave, then the server stops listening', async () => {
  const { client, cookie, id } = await participant('Inès');
  const code = status.joinCode ?? '';
  const told = client.waitForEvent((frame) => frame.event === 'workshop.ended');
  const off = await trainer<WorkshopStatus>('workshop.stop');
  expect(off).toMatchObject({ state: 'off', url: null, participants: [] });
  expect(((await told).payload as WorkshopEnding).reason).toBe('closed');

  // The join form refuses the old code; the participant's own pages and conversations still answer.
  const late = await request(`${status.url}/workshop/join`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `code=${code}&name=Late` });
  expect(late.status).toBe(403);
  expect((await request(`${status.url}/`, { headers: { Cookie: cookie } })).status).toBe(200);
  expect(resultOf<unknown[]>(await client.call('conversations.list', {}))).toHaveLength(1);

  const closed = client.closed();
  await client.call('workshop.leave', {});
  expect(await closed).toBe(WORKSHOP_LEFT_CLOSE_CODE);
  // Its folder goes, then the server stops listening (closing lets open requests finish).
  await waitUntil(() => !existsSync(join(testHost.dataDir, 'workshop', id)), 'the folder deleted');
  await waitUntil(
    () =>
      request(`${status.url}/workshop/join`).then(
        () => false,
        () => true,
      ),
    'the closed room no longer listening',
  );
}, 60_000);

test('opening a new room ends the grace of the last one’s participants at once', async () => {
  status = await trainer<WorkshopStatus>('workshop.start', { address: '127.0.0.1', port: await freePort() });
  const { client, cookie, id } = await participant('Tom');
  await trainer('workshop.stop');
  const closed = client.closed();
  const port = Number(new URL(status.url ?? '').port);
  // The trainer offers the room its models; one the library lacks is refused.
  const refused = await testHost.host.call('workshop.start', { address: '127.0.0.1', port, modelIds: ['nowhere.gguf'] });
  expect(refused.ok ? null : refused.error.code).toBe('MODEL_NOT_FOUND');
  status = await trainer<WorkshopStatus>('workshop.start', { address: '127.0.0.1', port, modelIds: [ENDLESS] });
  expect(status.modelIds).toEqual([ENDLESS]);
  expect(await closed).toBe(WORKSHOP_LEFT_CLOSE_CODE);
  expect(existsSync(join(testHost.dataDir, 'workshop', id))).toBe(false);
  expect((await request(`${status.url}/`, { headers: { Cookie: cookie } })).status).toBe(303);
}, 60_000);
