// The host's second check of links (the one the desktop shell relies on before shell.openExternal).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeEngineSpawner } from '../../../../electron/engine/client/spawn-node.ts';
import { Host } from '../../../../electron/host/host.ts';
import { openSettings } from '../../../../electron/services/settings/settings.ts';
import { HOSTILE_LINKS } from '../../../support/hostile-links.ts';
import { DOCUMENTS_WORKER, ENGINE_ENTRY } from '../../../support/test-host.ts';

let dataDir: string;
const opened: string[] = [];
let desktop: Host;
let web: Host;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'enclave-links-'));
  const options = {
    version: 'test',
    config: { dataDir, modelsDir: join(dataDir, 'models') },
    spawnEngine: nodeEngineSpawner(ENGINE_ENTRY),
    documentsWorker: DOCUMENTS_WORKER,
    settings: openSettings(dataDir).backend,
  };
  // Stands in for Electron's shell.openExternal, which cannot run here.
  desktop = new Host({ ...options, kind: 'electron', openExternal: async (url) => void opened.push(url) });
  web = new Host({ ...options, kind: 'web' });
});

afterAll(async () => {
  await Promise.all([desktop.dispose(), web.dispose()]);
  await rm(dataDir, { recursive: true, force: true });
});

describe('links.open', () => {
  it('refuses all 40 hostile links without opening anything, in both hosts', async () => {
    for (const [url, reason] of HOSTILE_LINKS) {
      for (const host of [desktop, web]) {
        const outcome = await host.call('links.open', { url });
        expect(outcome.ok, url).toBe(false);
        // Over-long links are stopped by the contract's schema before the link check.
        if (!outcome.ok && outcome.error.code !== 'BAD_REQUEST') expect(outcome.error, url).toMatchObject({ code: 'LINK_REFUSED', details: { reason } });
      }
    }
    expect(opened).toEqual([]);
  });

  it('opens a safe link in the desktop app (normalized) and leaves it to the browser in the web host', async () => {
    expect(await desktop.call('links.open', { url: 'HTTPS://Example.com/docs' })).toEqual({ ok: true, result: { opened: true } });
    expect(opened).toEqual(['https://example.com/docs']);
    expect(await web.call('links.open', { url: 'https://example.com/docs' })).toEqual({ ok: true, result: { opened: false } });
    expect(opened).toHaveLength(1);
  });
});
