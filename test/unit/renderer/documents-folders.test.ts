/** Adding a folder from the Documents page: files without a reader counted, uploads named by their path and named to the host in batches, a folder's path in the desktop app. */
import { describe, expect, it } from 'vitest';
import type { CommandName } from '#shared/contract.ts';
import type { Transport } from '../../../renderer/src/api/transport.ts';
import { createAppStore } from '../../../renderer/src/state/app-store.ts';
import { UPLOAD_BATCH, type DocumentEntry } from '../../../renderer/src/state/slices/documents.ts';
import { memoryStorage } from './fake-transport.ts';

/** A transport that answers every call at once and records it. */
function answering(extra: Partial<Transport>) {
  const calls: { command: CommandName; input: unknown }[] = [];
  const uploads: string[] = [];
  const answers: Partial<Record<CommandName, unknown>> = { 'documents.list': [], 'documents.files': [], 'documents.add': [] };
  const transport: Transport = {
    kind: 'web',
    call: (command, input) => {
      calls.push({ command, input });
      return Promise.resolve(answers[command] as never);
    },
    on: () => () => undefined,
    connectionState: () => 'open',
    onConnectionChange: () => () => undefined,
    dispose: () => undefined,
    upload: (file) => {
      uploads.push(file.name);
      return Promise.resolve(`00000000-0000-4000-8000-${String(uploads.length).padStart(12, '0')}`);
    },
    ...extra,
  };
  return { transport, calls, uploads };
}

function entry(path: string): DocumentEntry {
  return { file: new File(['texte'], path.split('/').at(-1) ?? path), path };
}

describe('adding a folder', () => {
  it('in the web host: uploads the supported files sorted by path, names them by their path, a batch at a time, and counts the others', async () => {
    const { transport, calls, uploads } = answering({});
    const store = createAppStore(transport, { storage: memoryStorage() });
    const entries = [...Array.from({ length: 110 }, (_, index) => entry(`Dossier/lot/note-${String(109 - index).padStart(3, '0')}.txt`)), entry('Dossier/photo.png'), entry('Dossier/tableau.xls')];
    await store.actions.documents.addFiles('col-1', entries);
    expect(store.getState().documents.notice).toEqual({ collectionId: 'col-1', kind: 'skipped', count: 2 });
    expect(uploads).toHaveLength(110);
    const adds = calls.filter((call) => call.command === 'documents.add').map((call) => call.input as { jobId: string; sources: { name: string }[] });
    expect(adds.map((add) => add.sources.length)).toEqual([UPLOAD_BATCH, UPLOAD_BATCH, 10]);
    expect(adds[0]?.sources[0]?.name).toBe('Dossier/lot/note-000.txt');
    expect(adds[2]?.sources.at(-1)?.name).toBe('Dossier/lot/note-109.txt');
    expect(new Set(adds.map((add) => add.jobId)).size).toBe(3);
    expect(store.getState().documents.sending).toEqual([]);
  });

  it('in the desktop app: names the folder once, and loose files by their path', async () => {
    const paths = new Map<File, string>();
    const { transport, calls, uploads } = answering({ kind: 'electron', upload: undefined, pathForFile: (file) => paths.get(file) ?? '' });
    const store = createAppStore(transport, { storage: memoryStorage() });
    const inFolder = [entry('Dossier/a/b.txt'), entry('Dossier/c.pdf')];
    paths.set(inFolder[0]?.file as File, '/home/marie/Dossier/a/b.txt');
    paths.set(inFolder[1]?.file as File, '/home/marie/Dossier/c.pdf');
    const loose = entry('seul.md');
    paths.set(loose.file, '/home/marie/Bureau/seul.md');
    await store.actions.documents.addFiles('col-1', [...inFolder, loose]);
    expect(uploads).toEqual([]);
    expect(calls.filter((call) => call.command === 'documents.add').map((call) => (call.input as { sources: unknown }).sources)).toEqual([
      [{ path: '/home/marie/Dossier' }, { path: '/home/marie/Bureau/seul.md' }],
    ]);
  });
});
