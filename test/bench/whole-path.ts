/**
 * Enclave's whole path: the web host's Host, the engine process, the contract over a real
 * WebSocket, and a client that receives the batched tokens.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { WebSocket } from 'ws';
import type { GenerationStats } from '../../shared/chat.ts';
import type { ServerFrame } from '../../shared/contract.ts';
import { nodeEngineSpawner } from '../../electron/engine/spawn-node.ts';
import { Host } from '../../electron/host/host.ts';
import { openSettings } from '../../electron/services/settings.ts';
import { startWebServer } from '../../electron/host/web-server.ts';
import { ENGINE_ENTRY } from '../support/test-host.ts';

export interface WholePathRun {
  tokens: number;
  ms: number;
  ttftMs: number | null;
  deltaMessages: number;
  engineStats: GenerationStats;
}

export interface WholePathSession {
  generate(prompt: string, maxTokens: number): Promise<WholePathRun>;
  enginePid(): number | undefined;
  close(): Promise<void>;
}

export async function openWholePath(modelPath: string, threads: number): Promise<WholePathSession> {
  const dataDir = await mkdtemp(join(tmpdir(), 'enclave-bench-'));
  const modelsDir = join(dataDir, 'models');
  await mkdir(modelsDir, { recursive: true });
  await symlink(modelPath, join(modelsDir, basename(modelPath)));
  const staticDir = join(dataDir, 'static');
  await mkdir(staticDir);
  await writeFile(join(staticDir, 'index.html'), '');

  process.env.ENCLAVE_THREADS = String(threads);
  const host = new Host({
    kind: 'web',
    version: 'bench',
    config: { dataDir, modelsDir },
    spawnEngine: nodeEngineSpawner(ENGINE_ENTRY),
    settings: openSettings(dataDir).backend,
  });
  await host.start();
  await host.engine.start();
  const server = await startWebServer({ host, staticDir, port: 0 });
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 1;
  const modelId = basename(modelPath);

  return {
    enginePid: () => host.engine.pid,
    generate: (prompt, maxTokens) =>
      new Promise<WholePathRun>((resolve, reject) => {
        const id = nextId++;
        let jobId: string | null = null;
        let firstDeltaAt: number | null = null;
        let deltaMessages = 0;
        const started = performance.now();
        const onMessage = (data: Buffer): void => {
          const frame = JSON.parse(data.toString()) as ServerFrame;
          if (frame.type === 'result' && frame.id === id) {
            if (!frame.ok) reject(new Error(`${frame.error.code}: ${frame.error.message}`));
            else jobId = (frame.result as { jobId: string }).jobId;
            return;
          }
          if (frame.type !== 'event') return;
          const payload = frame.payload as { jobId?: string };
          if (payload.jobId !== jobId) return;
          if (frame.event === 'chat.delta') {
            firstDeltaAt ??= performance.now();
            deltaMessages++;
          } else if (frame.event === 'chat.done') {
            socket.off('message', onMessage);
            const stats = (frame.payload as { stats: GenerationStats }).stats;
            resolve({ tokens: stats.tokens, ms: performance.now() - started, ttftMs: firstDeltaAt === null ? null : firstDeltaAt - started, deltaMessages, engineStats: stats });
          } else if (frame.event === 'chat.error') {
            socket.off('message', onMessage);
            reject(new Error(JSON.stringify(frame.payload)));
          }
        };
        socket.on('message', onMessage);
        socket.send(
          JSON.stringify({
            type: 'call',
            id,
            command: 'chat.generate',
            input: { modelId, messages: [{ role: 'user', content: prompt }], sampling: { temperature: 0, maxTokens } },
          }),
        );
      }),
    close: async () => {
      socket.close();
      await server.close();
      await host.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
