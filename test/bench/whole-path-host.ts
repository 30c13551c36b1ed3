/**
 * The host process of the benchmark's whole path, as in the app: a real Host (which starts the
 * engine process) behind the web host's WebSocket server. Forked by whole-path.ts with IPC; the
 * models to serve are symlinked into a temporary models folder.
 *
 * child → parent: { type: 'ready', port, enginePid, startMs } then { type: 'memory', hostMaxRssKb, enginePid }
 * parent → child: { type: 'memory' } | { type: 'close' }
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { startWebServer } from '../../electron/services/platform/web-server.ts';
import { createTestHost } from '../support/test-host.ts';

export type HostToBench = { type: 'ready'; port: number; enginePid: number | null; startMs: number } | { type: 'memory'; hostMaxRssKb: number; enginePid: number | null };
export type BenchToHost = { type: 'memory' } | { type: 'close' };

const modelPaths = JSON.parse(process.argv[2] ?? '[]') as string[];
const send = (message: HostToBench): void => {
  process.send?.(message);
};

const testHost = await createTestHost([], { ...process.env });
const { host } = testHost;
for (const path of modelPaths) await symlink(path, join(testHost.modelsDir, basename(path)));
await host.services.library.rescan();
const staticDir = join(testHost.dataDir, 'static');
await mkdir(staticDir, { recursive: true });
await writeFile(join(staticDir, 'index.html'), '');

// Host.start() (in createTestHost) started the engine: wait until llama.cpp is loaded in it.
await host.services.engine.start();
const server = await startWebServer({ host, staticDir, port: 0, dataDir: testHost.dataDir });
// performance.now() counts from this process's start: Node, the host, the engine process and llama.cpp.
send({ type: 'ready', port: server.port, enginePid: host.services.engine.pid ?? null, startMs: performance.now() });

process.on('message', (message: BenchToHost) => {
  if (message.type === 'memory') {
    send({ type: 'memory', hostMaxRssKb: process.resourceUsage().maxRSS, enginePid: host.services.engine.pid ?? null });
  } else {
    void (async () => {
      await server.close();
      await testHost.dispose();
      process.exit(0);
    })();
  }
});
process.on('disconnect', () => process.exit(0));
