/**
 * Imports run as jobs: the file is read from disk as a stream, one conversation at a time (memory
 * stays bounded by the largest conversation, whatever the file's size), with progress events and
 * a cancel. Each conversation is one transaction; ids come from the export, so an import stopped
 * or repeated never duplicates anything. An Enclave backup (a zip with its manifest) is restored instead.
 */
import { rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import streamArray from 'stream-json/streamers/stream-array.js';
import type { ReportLocale } from '#shared/compare.ts';
import type { ConversationsEventPayloads, ImportSource, ImportSummary } from '#shared/conversations.ts';
import { EnclaveError } from '#shared/errors.ts';
import { uploadPath } from '../../platform/uploads.ts';
import type { ConversationService } from '../conversation-service.ts';
import { convertConversation, isChatGptConversation } from './chatgpt-conversation.ts';
import { openExport } from './export-file.ts';
import { isBackupZip, restoreBackup, type RestoreTarget } from '../backup/restore-backup.ts';

export type ImportProgress = ConversationsEventPayloads['conversations.importProgress'];

/** About this many progress events per import, whatever its size. */
const PROGRESS_STEPS = 200;

export class ConversationImports {
  private readonly jobs = new Map<string, AbortController>();
  private readonly service: ConversationService;
  private readonly dataDir: string;
  private readonly restoreTarget: RestoreTarget;
  private readonly onProgress: (progress: ImportProgress) => void;

  constructor(service: ConversationService, dataDir: string, restoreTarget: RestoreTarget, onProgress: (progress: ImportProgress) => void) {
    this.service = service;
    this.dataDir = dataDir;
    this.restoreTarget = restoreTarget;
    this.onProgress = onProgress;
  }

  async run(jobId: string, source: ImportSource, locale: ReportLocale): Promise<ImportSummary> {
    if (this.jobs.has(jobId)) throw new EnclaveError('BAD_REQUEST', `job ${jobId} is already running`, { jobId });
    const abort = new AbortController();
    this.jobs.set(jobId, abort);
    const path = 'path' in source ? source.path : uploadPath(this.dataDir, source.uploadId);
    try {
      if (await isBackupZip(path)) return await restoreBackup(path, this.restoreTarget);
      return await this.importFile(jobId, path, locale, abort.signal);
    } finally {
      this.jobs.delete(jobId);
      if ('uploadId' in source) rmSync(path, { force: true });
    }
  }

  cancel(jobId: string): { cancelled: boolean } {
    const job = this.jobs.get(jobId);
    job?.abort();
    return { cancelled: job !== undefined };
  }

  private async importFile(jobId: string, path: string, locale: ReportLocale, signal: AbortSignal): Promise<ImportSummary> {
    const file = await openExport(path);
    const summary: ImportSummary = {
      format: 'chatgpt',
      cancelled: false,
      conversations: { added: 0, updated: 0, unchanged: 0 },
      messagesAdded: 0,
      imagesOmitted: 0,
      toolBlocks: 0,
      partsDropped: 0,
    };
    const items: Readable = file.stream.pipe(streamArray.withParserAsStream({ packValues: true, streamValues: false }));
    file.stream.on('error', (error) => items.destroy(error));
    let done = 0;
    let reportedAt = -Infinity;
    const step = file.totalBytes / PROGRESS_STEPS;
    const report = (): void => {
      reportedAt = file.bytesRead();
      this.onProgress({ jobId, bytesRead: reportedAt, totalBytes: file.totalBytes, conversations: done });
    };
    report();
    try {
      for await (const item of items as AsyncIterable<{ value: unknown }>) {
        if (signal.aborted) break;
        if (!isChatGptConversation(item.value)) throw invalid('shape', 'an item of the array is not a ChatGPT conversation (no mapping)', done);
        const { created, messagesAdded } = this.service.importConversation(convertConversation(item.value, locale, summary));
        if (created) summary.conversations.added++;
        else if (messagesAdded > 0) summary.conversations.updated++;
        else summary.conversations.unchanged++;
        summary.messagesAdded += messagesAdded;
        done++;
        if (file.bytesRead() - reportedAt >= step) report();
      }
    } catch (error) {
      if (error instanceof EnclaveError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw invalid(/top-level object should be an array/i.test(message) ? 'shape' : 'json', message, done);
    } finally {
      items.destroy();
      file.stream.destroy();
    }
    summary.cancelled = signal.aborted;
    report();
    return summary;
  }
}

/** `imported`: conversations kept before the file went wrong (a later import of a good file completes them). */
function invalid(reason: 'shape' | 'json', message: string, imported: number): EnclaveError {
  return new EnclaveError('IMPORT_INVALID', message, { reason, imported });
}
