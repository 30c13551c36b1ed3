// Contract fuzzing over the WebSocket: thousands of random and hostile frames against a web host
// in its own process (own HOME and working folder). The host must stay up, answer every hostile
// frame with a typed error, and create no file outside its data folder and the one pack folder
// the test gives it. The commands that take paths (pack export and import, model import, delete,
// reveal, links, comparison reports) get hostile paths: traversal, system folders, devices, FIFOs,
// huge strings.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '#shared/contract.ts';
import { ERROR_CODES } from '#shared/errors.ts';
import { createRng, ensureFixtureModels } from '../../fixtures/gguf/index.ts';
import { HOSTILE_LINKS } from '../../support/hostile-links.ts';
import { ContractClient, startWebHostProcess, type ResultFrame, type WebHostProcess } from '../../support/web-host-process.ts';
import { newJobId } from '#shared/chat.ts';

const MARKER = 'enclave-fuzz-escape';
const FUZZ_MESSAGES = 3_000;

/** Ids and paths that try to leave the app's folders. */
const TRAVERSALS = [
  `../../${MARKER}`,
  `..\\..\\${MARKER}`,
  `/tmp/${MARKER}`,
  `${MARKER}/../../../${MARKER}`,
  `%2e%2e%2f%2e%2e%2f${MARKER}`,
  `....//....//${MARKER}`,
  `C:\\Windows\\${MARKER}`,
  `\\\\server\\share\\${MARKER}`,
  `${MARKER}\u0000.gguf`,
  'file:///etc/passwd',
  '/etc/passwd',
  '~/.ssh/id_rsa',
  'models/../../../../etc/shadow',
];
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__'];
const COMMANDS = [...COMMAND_NAMES, 'toString', '__proto__', 'constructor', '', 'app.info ', 'APP.INFO', 'host.call', '../chat.generate', 'x'.repeat(10_000)];

function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const info = await stat(path);
        files.set(path, `${info.size}:${info.mtimeMs}`);
      }
    }
  };
  return walk(dir).then(() => files);
}

const PATH_COMMANDS = ['packs.export', 'packs.import', 'models.import', 'models.delete', 'models.reveal', 'links.open', 'compare.report'];

/** Folders and files for the commands that take paths (set once the test's folders exist). */
function hostilePaths(root: string, dataDir: string, packTarget: string): string[] {
  return [
    ...TRAVERSALS,
    '/',
    '/etc',
    '/usr/share',
    '/dev',
    '/dev/zero',
    '/dev/null',
    '/dev/urandom',
    '/proc/self',
    '/proc/self/fd/0',
    '/sys/kernel',
    join(root, 'fifo.gguf'),
    // Any other existing folder of the user's is a fair export target: the test offers only packTarget.
    join(dataDir, 'models'),
    join(dataDir, '..', MARKER),
    `${packTarget}/../${MARKER}`,
    packTarget,
    `${packTarget}\u0000/etc`,
    `/${'x'.repeat(4_000)}`,
    'x'.repeat(5_000),
    '',
  ];
}

/** Random JSON-able values, hostile ones over-represented. */
function hostileGenerator(seed: number, paths: readonly string[], modelId: string): { value(depth?: number): unknown; frame(): string } {
  const rng = createRng(seed);
  const pick = <T>(items: readonly T[]): T => items[rng() % items.length] as T;
  const value = (depth = 0): unknown => {
    switch (rng() % 14) {
      case 0:
        return null;
      case 1:
        return pick([true, false]);
      case 2:
        return pick([0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER]);
      case 3:
        return pick(TRAVERSALS);
      case 4:
        return 'x'.repeat(pick([0, 1, 300, 70_000, 1_100_000]));
      case 5:
        return pick(['\u202eevil', '\ud800', '<script>alert(1)</script>', '${process.exit()}', 'a\u0000b', '💥'.repeat(1000)]);
      case 6:
        return depth > 3 ? [] : Array.from({ length: rng() % 5 }, () => value(depth + 1));
      case 7: {
        const object: Record<string, unknown> = {};
        if (depth <= 3) for (let index = rng() % 5; index > 0; index--) object[pick([...PROTOTYPE_KEYS, 'id', 'modelId', 'jobId', 'messages', 'offline', 'query', 'path'])] = value(depth + 1);
        return object;
      }
      case 8:
        return { id: pick(TRAVERSALS), modelId: pick(TRAVERSALS), jobId: pick(TRAVERSALS), catalogId: pick(TRAVERSALS), quant: pick(TRAVERSALS) };
      case 9:
        return { modelId: pick(TRAVERSALS), messages: [{ role: pick(['user', 'system', 'tool', '__proto__']), content: value(depth + 1) }] };
      case 10:
        return JSON.parse(`{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "id": ${JSON.stringify(pick(TRAVERSALS))}}`);
      case 11:
        return { offline: pick([true, false, 'false', 0, null]) };
      case 12:
        return { query: pick(['"', 'NEAR(', '*', 'a OR', "'; DROP TABLE messages; --", ')))', 'x'.repeat(5_000)]) };
      default:
        return {};
    }
  };
  const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
  const frame = (): string => {
    const kind = rng() % 10;
    if (kind === 0) return pick(['', 'null', '42', '"call"', '[]', '{', 'not json', '{"type":"call"}', '{"type":"call","id":"1","command":"app.info"}']);
    if (kind === 1) return JSON.stringify({ type: pick(['call', 'result', 'event', '__proto__']), id: pick([1, -1, 1.5, 2 ** 60]), command: pick(COMMANDS), input: value() });
    if (kind === 2) return `{"type":"call","id":1,"command":"settings.update","input":${deep(pick([100, 5_000, 100_000]))}}`;
    if (kind <= 5) {
      // Well-shaped input with a hostile id, so the handlers themselves are reached.
      const id = pick(TRAVERSALS);
      const [command, input] = pick<readonly [string, unknown]>([
        ['chat.generate', { jobId: newJobId(), modelId: id, messages: [{ role: 'user', content: 'hi' }] }],
        ['chat.stop', { jobId: id }],
        ['conversations.get', { id }],
        ['conversations.delete', { id }],
        ['conversations.rename', { id, title: id }],
        ['conversations.deleteMessage', { id, messageId: id }],
        ['downloads.start', { catalogId: id, quant: 'Q4_K_M' }],
        ['downloads.start', { catalogId: 'qwen3-0.6b', quant: id.slice(0, 32) }],
        ['downloads.cancel', { id }],
        ['downloads.resume', { id }],
        ['packs.export', { modelIds: [pick([modelId, id])], folder: pick(paths) }],
        ['packs.import', { folder: pick(paths) }],
        ['models.import', { paths: [pick(paths)], mode: pick(['copy', 'reference']) }],
        ['models.import', { paths: [pick(paths), pick(paths)] }],
        ['models.delete', { id }],
        ['models.reveal', { id: pick([modelId, id]) }],
        ['links.open', { url: pick(HOSTILE_LINKS)[0] }],
        ['compare.report', { runIds: [id], format: pick(['html', 'csv', '../../x']) }],
        ['compare.report', { format: pick(['html', 'csv']), locale: pick(['en', 'fr', '../../etc']) }],
      ]);
      return JSON.stringify({ type: 'call', id: 1 + (rng() % 1_000_000), command, input });
    }
    return JSON.stringify({ type: 'call', id: 1 + (rng() % 1_000_000), command: pick(COMMANDS), input: value() });
  };
  return { value, frame };
}

let root: string;
let dataDir: string;
/** The one folder outside the data folder the host may write into: a pack export target the "user" chose. */
let packTarget: string;
let modelId: string;
let web: WebHostProcess;
let client: ContractClient;
let before: Map<string, string>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'enclave-fuzz-'));
  dataDir = join(root, 'data');
  const modelsDir = join(dataDir, 'models');
  await mkdir(modelsDir, { recursive: true });
  await mkdir(join(root, 'home'));
  await mkdir(join(root, 'cwd'));
  const { scripted } = await ensureFixtureModels();
  await copyFile(scripted, join(modelsDir, basename(scripted)));
  modelId = basename(scripted);
  packTarget = join(root, 'pack-target');
  await mkdir(packTarget);
  // A FIFO named like a model: reading it would block forever.
  execFileSync('mkfifo', [join(root, 'fifo.gguf')]);
  before = await snapshot(root);
  web = await startWebHostProcess({
    cwd: join(root, 'cwd'),
    // Offline: a fuzzed download request must not even try the network.
    env: { ...process.env, HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'home', '.config'), ENCLAVE_DATA_DIR: dataDir, ENCLAVE_MODELS_DIR: modelsDir, ENCLAVE_OFFLINE: '1' },
  });
  client = await ContractClient.connect(web.url);
}, 60_000);

afterAll(async () => {
  client.close();
  await web.stop();
  await rm(root, { recursive: true, force: true });
});

describe('contract fuzzing over the WebSocket', () => {
  it(`answers ${FUZZ_MESSAGES} random and hostile frames with typed errors, stays up, and writes only in its data folder`, async () => {
    const generator = hostileGenerator(0x5eed, hostilePaths(root, dataDir, packTarget), modelId);
    const codes = new Map<string, number>();
    const pathFrames = new Map<string, number>();
    let results = 0;
    for (let index = 0; index < FUZZ_MESSAGES; index++) {
      const frame = generator.frame();
      const command = PATH_COMMANDS.find((name) => frame.includes(`"command":"${name}"`));
      if (command !== undefined) pathFrames.set(command, (pathFrames.get(command) ?? 0) + 1);
      const answer: ResultFrame = await client.exchange(frame);
      expect(answer.type, frame.slice(0, 200)).toBe('result');
      if (answer.ok) {
        results++;
        continue;
      }
      expect(ERROR_CODES, frame.slice(0, 200)).toContain(answer.error.code);
      expect(answer.error.code, `${frame.slice(0, 200)} → ${answer.error.message}`).not.toBe('INTERNAL');
      expect(typeof answer.error.message).toBe('string');
      codes.set(answer.error.code, (codes.get(answer.error.code) ?? 0) + 1);
    }
    // A frame over the size limit closes that connection only; the host serves the next one.
    const oversized = client.closed();
    void client.exchange(JSON.stringify({ type: 'call', id: 1, command: 'app.info', input: { x: 'x'.repeat(17 * 1024 * 1024) } }));
    expect(await oversized).toBe(1009);
    client = await ContractClient.connect(web.url);
    const info = await client.call('app.info', {});
    expect(info).toMatchObject({ ok: true, result: { dataDir } });
    expect(web.child.exitCode).toBeNull();

    // Only the data folder, and the pack folder the test chose, may have changed.
    const after = await snapshot(root);
    const changed = [...after].filter(([path, state]) => before.get(path) !== state).map(([path]) => path);
    expect(changed.filter((path) => !path.startsWith(dataDir + '/') && !path.startsWith(packTarget + '/'))).toEqual([]);
    for (const path of [join(root, MARKER), join(tmpdir(), MARKER), join(dataDir, MARKER)]) expect(existsSync(path), path).toBe(false);
    console.info(
      `contract fuzz: ${FUZZ_MESSAGES} frames, ${FUZZ_MESSAGES - results} typed errors (${[...codes].map(([code, count]) => `${code} ${count}`).join(', ')}), ${results} valid results; frames to the commands that take paths: ${[...pathFrames].map(([name, count]) => `${name} ${count}`).join(', ')}; ${changed.length} files changed, all inside the data folder or the pack folder`,
    );
  }, 120_000);
});
