/**
 * A job's events over the WebSocket: the client names the job, so events the host emits before
 * chat.generate has answered (a place in the queue, the first text of a fast model) reach that
 * client, and no other connection sees them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { newJobId } from '#shared/chat.ts';
import type { HostEvent, ServerFrame } from '#shared/contract.ts';
import type { CallOutcome } from '#shared/endpoint.ts';
import { serveConnection } from '../../../../electron/services/platform/web-server.ts';

let server: Server;
let url: string;
const listeners = new Set<(event: HostEvent) => void>();
const emit = (event: HostEvent): void => {
  for (const listener of listeners) listener(event);
};

/** Answers chat.generate only after it has emitted the job's first events, as a fast engine can. */
const endpoint = {
  call(command: unknown, input: unknown): Promise<CallOutcome> {
    if (command !== 'chat.generate') return Promise.resolve({ ok: true, result: {} });
    const { jobId } = input as { jobId: string };
    emit({ event: 'chat.queued', payload: { jobId, position: 1 } });
    emit({ event: 'chat.delta', payload: { jobId, text: 'early' } });
    return new Promise((resolve) => setTimeout(() => resolve({ ok: true, result: { jobId } }), 20));
  },
  onEvent(listener: (event: HostEvent) => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

beforeEach(async () => {
  server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => serveConnection(socket, endpoint));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  listeners.clear();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function connect(): Promise<{ socket: WebSocket; frames: ServerFrame[] }> {
  const socket = new WebSocket(url);
  const frames: ServerFrame[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as ServerFrame));
  await new Promise((resolve) => socket.once('open', resolve));
  return { socket, frames };
}

it("delivers a job's events that come before chat.generate answers, to the connection that named it only", async () => {
  const mine = await connect();
  const other = await connect();
  const jobId = newJobId();
  mine.socket.send(JSON.stringify({ type: 'call', id: 1, command: 'chat.generate', input: { jobId, modelId: 'm.gguf', messages: [] } }));
  await expect.poll(() => mine.frames.length).toBe(3);
  expect(mine.frames).toEqual([
    { type: 'event', event: 'chat.queued', payload: { jobId, position: 1 } },
    { type: 'event', event: 'chat.delta', payload: { jobId, text: 'early' } },
    { type: 'result', id: 1, ok: true, result: { jobId } },
  ]);
  expect(other.frames).toEqual([]);
  mine.socket.close();
  other.socket.close();
});

it('claims no job for an id the schema would refuse', async () => {
  const mine = await connect();
  mine.socket.send(JSON.stringify({ type: 'call', id: 2, command: 'chat.generate', input: { jobId: 'short', modelId: 'm.gguf', messages: [] } }));
  await expect.poll(() => mine.frames.length).toBe(1);
  expect(mine.frames[0]).toMatchObject({ type: 'result', id: 2 });
  mine.socket.close();
});
