// The Local API page in a real browser against the built web host: off by default, the
// switch starts the server on the port given, a real OpenAI-style call is answered by the scripted
// model, and the page's live counts follow it. In English and French. `--api-port` starts it from
// the command line.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCRIPTED_REPLY } from '../fixtures/gguf/scripted.ts';
import { BUILT_WEB_ENTRY } from '../support/built-web-host.ts';
import { freePort } from '../support/loopback.ts';
import { expect, test } from './web-host.fixture.ts';
import { shotsDir } from './shots.ts';

const SHOTS = shotsDir('local-api');

// A web host and data folder of its own (see web-host.fixture.ts).
test.use({ webHostSpec: import.meta.filename });
test.use({ locale: 'en-US' });

test('the switch serves the API on the chosen port, and the counts follow the calls', async ({ page, webHost }) => {
  mkdirSync(SHOTS, { recursive: true });
  await page.goto(`${webHost.url}/#/api`);
  await expect(page.getByTestId('api-state')).toHaveAttribute('data-state', 'off');
  await expect(page.getByTestId('api-switch')).not.toBeChecked();

  const port = await freePort();
  await page.getByTestId('api-port').fill(String(port));
  await page.getByTestId('api-key').fill('sk-workshop');
  await page.getByTestId('api-save').click();
  await page.getByTestId('api-switch').check();
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  await expect(page.getByTestId('api-url')).toHaveText(baseUrl);
  await expect(page.getByTestId('api-example-curl')).toContainText(`curl ${baseUrl}/chat/completions`);
  await expect(page.getByTestId('api-example-curl')).toContainText('Authorization: Bearer sk-workshop');
  // The examples name a model the API really serves (the first usable one in the library).
  const listed = await fetch(`${baseUrl}/models`, { headers: { Authorization: 'Bearer sk-workshop' } });
  const ids = ((await listed.json()) as { data: { id: string }[] }).data.map((model) => model.id);
  expect(ids).toContain('enclave-scripted.gguf');
  await expect(page.getByTestId('api-example-python')).toContainText(`model="${ids[0]}"`);
  // The address and each example copy as shown.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  for (const [button, shown] of [
    ['copy-api-url', 'api-url'],
    ['copy-example-curl', 'api-example-curl'],
    ['copy-example-python', 'api-example-python'],
  ] as const) {
    await page.getByTestId(button).click();
    await expect(page.getByTestId(button)).toHaveText('Copied');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(await page.getByTestId(shown).textContent());
  }

  const call = (key: string) =>
    fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'enclave-scripted.gguf', messages: [{ role: 'user', content: 'Bonjour' }] }),
    });
  const answer = await call('sk-workshop');
  expect(answer.status).toBe(200);
  expect(((await answer.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(SCRIPTED_REPLY);
  expect((await call('wrong')).status).toBe(401);
  await expect(page.getByTestId('api-count-chatCompletions')).toHaveText('2');
  await expect(page.getByTestId('api-count-errors')).toHaveText('1');
  await page.screenshot({ path: join(SHOTS, 'local-api-en.png'), fullPage: true });

  await page.getByTestId('api-switch').uncheck();
  await expect(page.getByTestId('api-state')).toHaveAttribute('data-state', 'off');
  await expect(call('sk-workshop')).rejects.toThrow();
});

test.describe('in French', () => {
  test.use({ locale: 'fr-FR' });
  test('the page speaks French', async ({ page, webHost }) => {
    await page.goto(`${webHost.url}/#/api`);
    await expect(page.getByRole('heading', { name: 'API locale' })).toBeVisible();
    await expect(page.getByTestId('nav-api')).toHaveText('API locale');
    await page.screenshot({ path: join(SHOTS, 'local-api-fr.png'), fullPage: true });
  });
});

test('`--api-port N` starts the built web host with the API on 127.0.0.1:N', async ({ webHost }) => {
  const port = await freePort();
  // Its own data folder beside the fixture's, with the same models.
  const dataDir = join(webHost.dataDir, 'api-port-host');
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, [BUILT_WEB_ENTRY, '--port', '0', '--api-port', String(port)], {
    env: { ...process.env, ENCLAVE_DATA_DIR: dataDir, ENCLAVE_MODELS_DIR: webHost.modelsDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const announced = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Enclave local API: (http:\/\/\S+)/.exec(output);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`the web host exited with code ${code}: ${output}`)));
    });
    expect(announced).toBe(`http://127.0.0.1:${port}/v1`);
    const models = await fetch(`${announced}/models`);
    expect(models.status).toBe(200);
    expect(((await models.json()) as { data: { id: string }[] }).data.map((model) => model.id)).toContain('enclave-scripted.gguf');
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await expect(fetch(`http://127.0.0.1:${port}/v1/models`)).rejects.toThrow();
});
