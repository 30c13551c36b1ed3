/**
 * "Show in folder" for an installed model: the desktop app hands the file's path to its shell
 * adapter (shell.showItemInFolder); the web host, whose user may sit at another computer, answers
 * the path for the page to show and copy.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ensureFixtureModels } from '../../../fixtures/gguf/index.ts';
import { createTestHost, type TestHost } from '../../../support/test-host.ts';

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) await host.dispose();
});

describe('models.reveal', () => {
  test('the desktop app shows the file through its adapter', async () => {
    const shown: string[] = [];
    const { scripted } = await ensureFixtureModels();
    const desktop = await createTestHost([scripted], {}, { showItemInFolder: (path) => Promise.resolve(void shown.push(path)) });
    hosts.push(desktop);
    const [model] = desktop.host.services.library.list();
    const path = join(desktop.modelsDir, model?.id ?? '');
    expect(await desktop.host.call('models.reveal', { id: model?.id })).toEqual({ ok: true, result: { path, revealed: true } });
    expect(shown).toEqual([path]);
  });

  test('the web host answers the path to show; an id it did not list is refused and nothing is shown', async () => {
    const { scripted } = await ensureFixtureModels();
    const web = await createTestHost([scripted]);
    hosts.push(web);
    const [model] = web.host.services.library.list();
    expect(await web.host.call('models.reveal', { id: model?.id })).toEqual({ ok: true, result: { path: join(web.modelsDir, model?.id ?? ''), revealed: false } });
    for (const id of ['../../etc/passwd', '/etc/passwd', 'nope.gguf']) {
      expect(await web.host.call('models.reveal', { id })).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND' } });
    }
  });
});
