import { expect, it } from 'vitest';
import type { ImportSummary } from '#shared/conversations.ts';
import { summaryLines } from '../../../renderer/src/features/chat/import-summary.ts';

const say = (key: string, count: number) => `${key.replace('conversations.import.', '')} ${count}`;
const base: ImportSummary = { format: 'chatgpt', cancelled: false, conversations: { added: 2, updated: 0, unchanged: 1 }, messagesAdded: 5, imagesOmitted: 0, toolBlocks: 0, partsDropped: 0 };

it('a ChatGPT import tells what was imported', () => {
  expect(summaryLines(base, say)).toEqual(['added 2', 'unchanged 1']);
});

it('a restored backup tells what was restored, and the settings the environment kept', () => {
  const restored = { comparisons: 1, promptSets: 0, samplingPresets: 2, settings: 1, settingsLocked: 1 };
  expect(summaryLines({ ...base, format: 'enclave.backup', restored }, say)).toEqual(['restored 2', 'unchanged 1', 'comparisons 1', 'samplingPresets 2', 'settings 1', 'settingsLocked 1']);
});
