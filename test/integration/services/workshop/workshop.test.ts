/**
 * Workshop mode on loopback: 8 participants join with the code over HTTP and WebSocket
 * (as their browsers would), ask at once, see only their own answers and conversations, take fair
 * turns on the one engine, and are removed or cleared with the room, their answers stopped. Wrong
 * codes are limited per address, the room has a cap, a closed room lets no old cookie back in.
 * Real Host, real engine.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HostEvent, ServerFrame } from '#shared/contract.ts';
import { JOIN_ATTEMPTS_LIMIT, MAX_PARTICIPANTS, WORKSHOP_RATE_LIMIT, type WorkshopExerciseSet, type WorkshopStatus } from '#shared/workshop.ts';
import { lanInterfaces } from '../../../../electron/services/workshop/lan.ts';
import { endlessText, ensureFixtureModels } from '../../../fixtures/gguf/index.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';
import { directDispatcher, directFetch, freePort } from '../../../support/loopback.ts';
import { ContractClient } from '../../../support/web-host-process.ts';
import { newJobId } from '#shared/chat.ts';

const ENDLESS = 'enclave-endless.gguf';
const PARTICIPANTS = 8;
/** Long enough to still be running when the test acts on it; every such answer is stopped. */
const LONG = 4000;

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
async function joinRoom(name: string, code: string, url: string = status.url ?? ''): Promise<{ status: number; cookie: string | null }> {
  const response = await request(`${url}/workshop/join`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ code, name }).toString(),
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? null;
  return { status: response.status, cookie };
}

/** The join form posted from another loopback address (127.0.0.x), as another machine of the room would. */
function joinFrom(localAddress: string, name: string, code: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const url = new URL(`${status.url}/workshop/join`);
  const body = new URLSearchParams({ code, name }).toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function wrongCode(): string {
  return status.joinCode === '000000' ? '111111' : '000000';
}

async function participant(name: string): Promise<ContractClient> {
  const joined = await joinRoom(name, status.joinCode ?? '');
  expect(joined.status).toBe(303);
  return ContractClient.connect(status.url ?? '', { Cookie: joined.cookie ?? '' });
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

const ask = (client: ContractClient, maxTokens: number, content = 'count'): Promise<Result> =>
  client.call('chat.generate', { jobId: newJobId(), modelId: ENDLESS, sampling: { maxTokens }, messages: [{ role: 'user', content }] });

beforeAll(async () => {
  const models = await ensureFixtureModels();
  const rendererDir = join(tmpdir(), `enclave-workshop-renderer-${process.pid}`);
  await mkdir(rendererDir, { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Enclave</title><div id="root"></div>');
  // No grace: participants are out at once (workshop-grace.test.ts has the grace period).
  testHost = await createTestHost([models.endless], { ENCLAVE_THREADS: '1', ENCLAVE_WORKSHOP_GRACE_MS: '0' }, { rendererDir });
  expect((await trainer<WorkshopStatus>('workshop.status')).state).toBe('off');
  // A folder an earlier room left behind (a crash): opening a room deletes it.
  await mkdir(join(testHost.dataDir, 'workshop', 'stale-participant'), { recursive: true });
  await writeFile(join(testHost.dataDir, 'workshop', 'stale-participant', 'conversations.db'), 'old');
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
    expect(testHost.host.services.workshop.status().state).toBe('open');
  });

  test('shows the address, a join code and its QR code, in a fresh room', async () => {
    expect(status).toMatchObject({ state: 'open', participants: [], running: [], pushed: null });
    expect(status.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(status.joinCode).toMatch(/^\d{6}$/);
    expect(status.qr?.length).toBeGreaterThanOrEqual(21);
    expect(existsSync(join(testHost.dataDir, 'workshop', 'stale-participant'))).toBe(false);
  });

  test('answers on the chosen interface only', async () => {
    const port = Number(new URL(status.url ?? '').port);
    const others = lanInterfaces().filter((candidate) => candidate.family === 'IPv4');
    if (others.length === 0) {
      console.log('skipped the other-interface check: this machine has no non-loopback IPv4 address');
      return;
    }
    for (const other of others) {
      const refused = await new Promise<string>((resolve) => {
        const socket = connect({ host: other.address, port });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(refused, `${other.address}:${port}`).toBe('ECONNREFUSED');
    }
  });

  test('refuses a wrong code and anyone without the cookie; its pages carry the strict CSP', async () => {
    expect(await joinRoom('Mallory', wrongCode())).toEqual({ status: 403, cookie: null });
    const page = await request(`${status.url}/`);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/workshop/join');
    const form = await request(`${status.url}/workshop/join`);
    expect(form.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(form.headers.get('x-frame-options')).toBe('DENY');
    await expect(ContractClient.connect(status.url ?? '')).rejects.toThrow(/401/);
    await expect(ContractClient.connect(status.url ?? '', { Cookie: 'enclave_workshop=forged' })).rejects.toThrow(/401/);
  });

  test('8 participants ask at once: each sees only their own answers, in fair turns, their place shown', async () => {
    const clients: ContractClient[] = [];
    for (let i = 0; i < PARTICIPANTS; i++) {
      const joined = await joinRoom(`P${i}`, status.joinCode ?? '');
      expect(joined.status).toBe(303);
      const app = await request(`${status.url}/`, { headers: { Cookie: joined.cookie ?? '' } });
      expect(app.status).toBe(200);
      const csp = app.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain(`connect-src 'self' ws://${new URL(status.url ?? '').host}`);
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
    const askInConversation = async (i: number, round: number, conversationId: string | null, parentId: string | null) => {
      const client = at(clients, i);
      const started = resultOf<{ jobId: string; saved: { conversationId: string; answer: { id: string } } }>(
        await client.call('chat.generate', { jobId: newJobId(), modelId: ENDLESS, sampling: { maxTokens: 6 }, conversation: { id: conversationId, parentId, content: `P${i} round ${round}` } }),
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
        const first = await askInConversation(i, 1, null, null);
        await askInConversation(i, 2, first.conversationId, first.answer.id);
        return first.conversationId;
      }),
    );
    off();

    expect(doneOrder).toHaveLength(2 * PARTICIPANTS);
    // Fair: everyone's first answer comes before anyone's second (nobody waits more than one turn beyond the others).
    expect(new Set(doneOrder.slice(0, PARTICIPANTS)).size).toBe(PARTICIPANTS);
    expect(new Set(doneOrder.slice(PARTICIPANTS)).size).toBe(PARTICIPANTS);

    // Each job that waited: its participant saw the first place the host gave it (sent before chat.generate answered).
    const firstPlace = new Map<string, number>();
    for (const event of testHost.events) if (event.event === 'chat.queued' && !firstPlace.has(event.payload.jobId)) firstPlace.set(event.payload.jobId, event.payload.position);
    let waited = 0;
    for (const [i, client] of clients.entries()) {
      // Only their own job events ever reached them.
      const seenJobs = new Set(client.events.filter((frame) => frame.event.startsWith('chat.')).map((frame) => (frame.payload as { jobId: string }).jobId));
      expect([...seenJobs].sort()).toEqual([...at(jobsOf, i)].sort());
      for (const jobId of at(jobsOf, i)) {
        const place = firstPlace.get(jobId);
        if (place === undefined) continue;
        waited++;
        const places = client.events
          .filter((frame) => frame.event === 'chat.queued' && (frame.payload as { jobId: string }).jobId === jobId)
          .map((frame) => (frame.payload as { position: number }).position);
        expect(places[0], `first place of ${jobId}`).toBe(place);
        for (const shown of places) expect(shown).toBeLessThanOrEqual(PARTICIPANTS);
      }
      // Their conversations are their own.
      const list = resultOf<{ id: string; title: string }[]>(await client.call('conversations.list', {}));
      expect(list.map((conversation) => conversation.id)).toEqual([conversations[i]]);
      const other = conversations[(i + 1) % PARTICIPANTS];
      expect(await client.call('conversations.get', { id: other })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect(waited).toBeGreaterThanOrEqual(PARTICIPANTS - 1);
    // The trainer's own conversations are not theirs either.
    expect(await trainer<unknown[]>('conversations.list')).toEqual([]);

    const room = await trainer<WorkshopStatus>('workshop.status');
    expect(room.participants.map((p) => p.answers)).toEqual(Array(PARTICIPANTS).fill(2));
    expect(room.throughput.answers).toBeGreaterThanOrEqual(2 * PARTICIPANTS);
    expect(room.throughput.tokensPerSecond).toBeGreaterThan(0);

    // Not theirs to call.
    expect(await at(clients, 0).call('settings.update', { apiEnabled: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await at(clients, 0).call('workshop.reset', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await at(clients, 0).call('workshop.exercises', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await at(clients, 0).call('models.import', { paths: ['/etc'] })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // A backup holds the settings, the local API key among them.
    expect(await at(clients, 0).call('conversations.backup', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await at(clients, 0).call('chat.stop', { jobId: at(jobsOf, 1)[0] })).toMatchObject({ ok: true, result: { stopped: false } });
    for (const client of clients) client.close();
  }, 120_000);

  test('the trainer pushes one of the shipped exercises; participants get it with its title', async () => {
    const sets = await trainer<WorkshopExerciseSet[]>('workshop.exercises');
    expect(sets.map((set) => set.language).sort()).toEqual(['en', 'fr']);
    for (const set of sets) expect(set.exercises.length).toBeGreaterThanOrEqual(4);
    const exercise = at(at(sets, 0).exercises, 0);
    const clients = [await participant('Ada'), await participant('Blaise')];
    await trainer('workshop.push', { text: exercise.prompt, title: exercise.title });
    for (const client of clients) {
      const pushed = await client.waitForEvent((frame) => frame.event === 'workshop.pushed');
      expect(pushed.payload).toMatchObject({ text: exercise.prompt, title: exercise.title });
    }
    // A participant who joins later still finds it; the console shows what was sent.
    const late = await participant('Late');
    expect(resultOf<{ name: string; pushed: { title: string } }>(await late.call('workshop.me', {}))).toMatchObject({ name: 'Late', pushed: { title: exercise.title } });
    expect((await trainer<WorkshopStatus>('workshop.status')).pushed).toMatchObject({ text: exercise.prompt, title: exercise.title });
    // workshop.me is a participant's own: the trainer has no "me" in the room.
    expect(await testHost.host.call('workshop.me', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    for (const client of [...clients, late]) client.close();
  });

  test('the rate limit counts accepted answers only, not attempts refused as BUSY', async () => {
    const client = await participant('Limited');
    const long = resultOf<{ jobId: string }>(await ask(client, LONG));
    for (let n = 0; n < 3; n++) expect(await ask(client, 1)).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    await client.call('chat.stop', { jobId: long.jobId });
    await client.waitForEvent((frame) => frame.event === 'chat.done' && (frame.payload as { jobId: string }).jobId === long.jobId);
    let accepted = 1;
    let refused: Result | null = null;
    while (refused === null && accepted <= WORKSHOP_RATE_LIMIT.answers) {
      const frame = await ask(client, 1);
      if (!frame.ok) {
        refused = frame;
        break;
      }
      accepted++;
      await client.waitForEvent((event) => event.event === 'chat.done' && (event.payload as { jobId: string }).jobId === (frame.result as { jobId: string }).jobId);
    }
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(accepted).toBe(WORKSHOP_RATE_LIMIT.answers);
    client.close();
  }, 60_000);

  test('four participants stop their own running answers, and every one ends at once', async () => {
    const clients: ContractClient[] = [];
    for (let i = 0; i < 4; i++) clients.push(await participant(`Stopper ${i}`));
    // Each has had an answer in a saved conversation first, as in a room.
    await Promise.all(
      clients.map(async (client) => {
        const first = resultOf<{ jobId: string }>(
          await client.call('chat.generate', { jobId: newJobId(), modelId: ENDLESS, sampling: { maxTokens: 3 }, conversation: { id: null, parentId: null, content: 'hello' } }),
        );
        await client.waitForEvent((frame) => frame.event === 'chat.done' && (frame.payload as { jobId: string }).jobId === first.jobId);
      }),
    );
    const jobs = await Promise.all(clients.map(async (client) => resultOf<{ jobId: string }>(await ask(client, LONG)).jobId));
    await expect.poll(async () => (await trainer<WorkshopStatus>('workshop.status')).running.length).toBe(4);
    for (const [i, jobId] of jobs.entries()) expect(resultOf<{ stopped: boolean }>(await at(clients, i).call('chat.stop', { jobId }))).toEqual({ stopped: true });
    const ended = await Promise.all(clients.map((client, i) => client.waitForEvent((frame) => frame.event === 'chat.done' && (frame.payload as { jobId: string }).jobId === at(jobs, i))));
    expect(ended.map((frame) => (frame.payload as { stats: { stopReason: string } }).stats.stopReason)).toEqual(['abort', 'abort', 'abort', 'abort']);
    expect((await trainer<WorkshopStatus>('workshop.status')).running).toEqual([]);
    for (const client of clients) client.close();
  }, 60_000);

  test('removing a participant stops their answers and deletes their folder', async () => {
    const [holder, waiter] = [await participant('Holder'), await participant('Waiter')];
    const room = await trainer<WorkshopStatus>('workshop.status');
    const holderId = at(
      room.participants.filter((p) => p.name === 'Holder'),
      0,
    ).id;
    const running = resultOf<{ jobId: string }>(
      await holder.call('chat.generate', { jobId: newJobId(), modelId: ENDLESS, sampling: { maxTokens: LONG }, conversation: { id: null, parentId: null, content: 'count forever' } }),
    );
    const queued = resultOf<{ jobId: string }>(await ask(waiter, 1));
    expect((await trainer<WorkshopStatus>('workshop.status')).running).toContainEqual({ kind: 'participant', name: 'Holder' });
    const folder = join(testHost.dataDir, 'workshop', holderId);
    expect(existsSync(join(folder, 'conversations.db'))).toBe(true);

    const closed = holder.closed();
    await trainer('workshop.remove', { participantId: holderId });
    expect(await closed).toBe(4003);
    const stopped = await testHost.waitFor('chat.done', (payload) => payload.jobId === running.jobId);
    expect(stopped.stats.stopReason).toBe('abort');
    expect(existsSync(folder)).toBe(false);
    // The next in line gets the engine.
    expect((await waiter.waitForEvent((frame) => frame.event === 'chat.done' && (frame.payload as { jobId: string }).jobId === queued.jobId)).payload).toMatchObject({ text: endlessText(1) });
    waiter.close();
  }, 60_000);

  test('a reset stops every participant’s running and waiting answers, deletes their folders, draws a new code', async () => {
    const clients: ContractClient[] = [];
    for (let i = 0; i < 3; i++) clients.push(await participant(`R${i}`));
    const jobs = await Promise.all(clients.map(async (client) => resultOf<{ jobId: string }>(await ask(client, LONG)).jobId));
    const room = await trainer<WorkshopStatus>('workshop.status');
    expect(room.running.length + room.waiting).toBe(jobs.length);
    expect(await readdir(join(testHost.dataDir, 'workshop'))).not.toHaveLength(0);

    const oldCode = status.joinCode;
    const closings = clients.map((client) => client.closed());
    const ended: HostEvent[] = [];
    const off = testHost.host.onEvent((event) => {
      if (event.event === 'chat.done' && jobs.includes(event.payload.jobId)) ended.push(event);
    });
    const after = await trainer<WorkshopStatus>('workshop.reset');
    off();
    status = after;
    expect(after).toMatchObject({ participants: [], running: [], waiting: 0, pushed: null });
    expect(ended).toHaveLength(jobs.length);
    expect(after.joinCode).toMatch(/^\d{6}$/);
    expect(after.joinCode).not.toBe(oldCode);
    expect(await readdir(join(testHost.dataDir, 'workshop'))).toEqual([]);
    expect(await Promise.all(closings)).toEqual(Array(clients.length).fill(4003));
    expect((await joinRoom('Late', oldCode ?? '')).status).toBe(403);
    const fresh = await participant('P0');
    expect(resultOf<unknown[]>(await fresh.call('conversations.list', {}))).toEqual([]);
    fresh.close();
  }, 60_000);

  test(`wrong codes: ${JOIN_ATTEMPTS_LIMIT.wrong} a minute per address, then 429 even with the right one`, async () => {
    const guesser = '127.0.0.2';
    for (let n = 0; n < JOIN_ATTEMPTS_LIMIT.wrong; n++) expect((await joinFrom(guesser, 'Eve', wrongCode())).status).toBe(403);
    const locked = await joinFrom(guesser, 'Eve', status.joinCode ?? '');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body).toContain('Trop d’essais');
    expect(locked.body).toContain('Too many tries');
    expect(locked.headers['set-cookie']).toBeUndefined();
    // Other addresses of the room are not held back.
    expect((await joinFrom('127.0.0.3', 'Zoé', status.joinCode ?? '')).status).toBe(303);
  });

  test(`the room holds ${MAX_PARTICIPANTS} participants at most`, async () => {
    await trainer('workshop.reset');
    status = await trainer<WorkshopStatus>('workshop.status');
    for (let i = 0; i < MAX_PARTICIPANTS; i++) expect((await joinRoom(`N${i}`, status.joinCode ?? '')).status).toBe(303);
    const full = await request(`${status.url}/workshop/join`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `code=${status.joinCode}&name=One+more` });
    expect(full.status).toBe(403);
    expect(await full.text()).toContain('The workshop is full');
    expect((await trainer<WorkshopStatus>('workshop.status')).participants).toHaveLength(MAX_PARTICIPANTS);
  }, 60_000);

  test('closing the workshop stops listening; opening it again lets no old cookie in', async () => {
    await trainer('workshop.reset');
    status = await trainer<WorkshopStatus>('workshop.status');
    const joined = await joinRoom('Before', status.joinCode ?? '');
    const client = await ContractClient.connect(status.url ?? '', { Cookie: joined.cookie ?? '' });
    const closedSocket = client.closed();
    const closed = await trainer<WorkshopStatus>('workshop.stop');
    expect(closed).toMatchObject({ state: 'off', url: null, joinCode: null, participants: [] });
    expect(await closedSocket).toBe(4003);
    await expect(request(`${status.url}/workshop/join`)).rejects.toThrow();
    expect(await readdir(join(testHost.dataDir, 'workshop'))).toEqual([]);

    const port = Number(new URL(status.url ?? '').port);
    status = await trainer<WorkshopStatus>('workshop.start', { address: '127.0.0.1', port });
    expect((await request(`${status.url}/`, { headers: { Cookie: joined.cookie ?? '' } })).status).toBe(303);
    await expect(ContractClient.connect(status.url ?? '', { Cookie: joined.cookie ?? '' })).rejects.toThrow(/401/);
  });

  test('a port in use is refused with PORT_IN_USE', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      expect(await testHost.host.call('workshop.start', { address: '127.0.0.1', port })).toMatchObject({ ok: false, error: { code: 'PORT_IN_USE', details: { port } } });
      expect(testHost.host.services.workshop.status().state).toBe('off');
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  test('listens on IPv6 loopback, where browsers write the address in brackets', async () => {
    const v6 = await testHost.host.call('workshop.start', { address: '::1', port: await freePort() });
    if (!v6.ok) {
      console.log(`skipped the IPv6 check: this machine cannot listen on ::1 (${v6.error.message})`);
      return;
    }
    status = v6.result as WorkshopStatus;
    expect(status.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    const form = await request(`${status.url}/workshop/join`);
    expect(form.status).toBe(200);
    expect((await joinRoom('Six', status.joinCode ?? '')).status).toBe(303);
    await trainer('workshop.stop');
  });
});
