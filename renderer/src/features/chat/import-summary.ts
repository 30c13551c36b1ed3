/** What an import or a restore brought, as the lines the sidebar shows. */
import type { ImportSummary } from '#shared/conversations.ts';

export type SummaryKey = `conversations.import.${
  'added' | 'restored' | 'stopped' | 'updated' | 'unchanged' | 'imagesOmitted' | 'toolBlocks' | 'partsDropped' | 'comparisons' | 'promptSets' | 'samplingPresets' | 'settings' | 'settingsLocked'}`;

/** One line per fact worth telling, most important first. */
export function summaryLines(summary: ImportSummary, say: (key: SummaryKey, count: number) => string): string[] {
  const { added, updated, unchanged } = summary.conversations;
  const lines = [say(summary.cancelled ? 'conversations.import.stopped' : summary.format === 'enclave.backup' ? 'conversations.import.restored' : 'conversations.import.added', added)];
  if (updated > 0) lines.push(say('conversations.import.updated', updated));
  if (unchanged > 0) lines.push(say('conversations.import.unchanged', unchanged));
  if (summary.imagesOmitted > 0) lines.push(say('conversations.import.imagesOmitted', summary.imagesOmitted));
  if (summary.toolBlocks > 0) lines.push(say('conversations.import.toolBlocks', summary.toolBlocks));
  if (summary.partsDropped > 0) lines.push(say('conversations.import.partsDropped', summary.partsDropped));
  const restored = summary.restored;
  if (restored !== undefined) {
    for (const key of ['comparisons', 'promptSets', 'samplingPresets', 'settings', 'settingsLocked'] as const) {
      if (restored[key] > 0) lines.push(say(`conversations.import.${key}`, restored[key]));
    }
  }
  return lines;
}
