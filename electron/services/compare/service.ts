/**
 * The comparison workbench behind the contract: starts runs (side by side, prompt-set batches,
 * ChatGPT replays), votes and ratings, the leaderboard, prompt sets and reports. Generation goes
 * through CompareRunner, as many answers at once as the engine's capacity allows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { LIMITS_COMPARE, type CompareCommandResults, type CompareDocuments, type CompareRun, type ReportFile, type ReportLocale } from '#shared/compare.ts';
import type { CommandInput } from '#shared/contract.ts';
import { EnclaveError } from '#shared/errors.ts';
import { modelIdLabel } from '#shared/servers.ts';
import type { ChatService } from '../chat/chat-service.ts';
import type { DocumentsPort } from '../conversations/conversation-chat.ts';
import type { ConversationService } from '../conversations/conversation-service.ts';
import type { Library } from '../models/library.ts';
import { titleFrom } from '../conversations/title.ts';
import { balancedColumnOrders, shuffled } from './column-orders.ts';
import { leaderboard } from './leaderboard.ts';
import { BUILTIN_SETS, exportSet, parseSet } from './prompt-sets.ts';
import { replayTurns } from './replay.ts';
import { reportCsv, reportHtml, type ModelNames } from './report.ts';
import { CompareRunner, type RunnerDeps } from './runner.ts';
import { CompareStore } from './store.ts';

type CompareCommand = keyof CompareCommandResults;
export type CompareHandlers = { [C in CompareCommand]: (input: CommandInput<C>) => Promise<CompareCommandResults[C]> | CompareCommandResults[C] };

export const REPORTS_DIR_NAME = 'reports';

/** What a run with documents needs: the chat's grounding, and a check that a collection exists. */
export interface CompareDocumentsPort extends Pick<DocumentsPort, 'ground' | 'contextTokens'> {
  /** Throws NOT_FOUND for a collection that is not in the app. */
  assertCollection(id: string): void;
}

export interface CompareServiceOptions extends Omit<RunnerDeps, 'store' | 'documents'> {
  /** Runs may answer from collections of documents when given. */
  documents?: CompareDocumentsPort | undefined;
  db: DatabaseSync;
  conversations: ConversationService;
  dataDir: string;
  /** The desktop app's save dialog; resolves with the chosen path, or null when cancelled. Without it, reports go to <data>/reports. */
  saveReport?: ((file: { fileName: string; content: string }) => Promise<string | null>) | undefined;
  chat: ChatService;
  /** The models' names for reports. */
  library: Pick<Library, 'list'>;
}

export class CompareService {
  readonly store: CompareStore;
  readonly runner: CompareRunner;
  readonly handlers: CompareHandlers;
  private readonly options: CompareServiceOptions;

  constructor(options: CompareServiceOptions) {
    this.options = options;
    this.store = new CompareStore(options.db, options.now);
    this.runner = new CompareRunner({ ...options, store: this.store });
    this.handlers = this.createHandlers();
  }

  /** Start-up: answers cut off by a kill go back to the queue, and running runs resume. */
  start(): void {
    this.store.recover();
    this.runner.kick();
  }

  dispose(): void {
    this.runner.dispose();
  }

  private createHandlers(): CompareHandlers {
    const { store, runner } = this;
    const started = (id: string): ReturnType<CompareStore['get']> => {
      runner.kick();
      runner.progress(id);
      return store.get(id);
    };
    return {
      'compare.list': () => store.list(),
      'compare.get': ({ id }) => store.get(id),
      'compare.start': (input) => {
        this.assertModels(input.modelIds);
        this.assertDocuments(input.documents);
        const modelIds = input.blind === true ? shuffled(input.modelIds) : input.modelIds;
        const id = store.create({
          kind: 'compare',
          title: titleFrom(input.prompt),
          systemPrompt: input.systemPrompt ?? '',
          blind: input.blind ?? false,
          sampling: input.sampling ?? {},
          documents: input.documents,
          columns: modelIds.map((modelId) => ({ modelId, reference: false })),
          turns: [{ prompt: input.prompt, category: input.category?.trim() || null, gradingNotes: null }],
        });
        return started(id);
      },
      'compare.followUp': ({ id, prompt }) => {
        const run = store.get(id);
        if (run.kind !== 'compare') throw new EnclaveError('BAD_REQUEST', 'follow-up turns are for side-by-side runs', { id });
        if (run.answers.some((answer) => answer.state === 'pending' || answer.state === 'generating')) throw new EnclaveError('BUSY', 'the answers to the last turn are still being generated', { id });
        // Its votes are locked, so a new turn could never be judged blind: that is a new blind run.
        if (run.blind && run.revealed) throw new EnclaveError('VOTES_LOCKED', 'the names of this blind run are revealed: start a new blind comparison', { id });
        store.addTurn(id, prompt);
        return started(id);
      },
      'compare.stop': ({ id }) => {
        store.get(id);
        store.stopWaiting(id);
        store.setState(id, 'stopped');
        runner.stopRun(id);
        runner.progress(id);
        return store.get(id);
      },
      'compare.resume': ({ id }) => {
        store.get(id);
        store.requeue(id, ['stopped', 'interrupted', 'error']);
        store.setState(id, 'running');
        return started(id);
      },
      'compare.delete': ({ id }) => {
        runner.stopRun(id);
        store.delete(id);
        return { deleted: true };
      },
      'compare.vote': ({ id, turn, vote }) => {
        store.vote(id, turn, vote);
        return store.get(id);
      },
      'compare.reveal': ({ id }) => {
        store.reveal(id);
        return store.get(id);
      },
      'compare.rate': ({ id, turn, column, rating }) => {
        store.rate(id, turn, column, rating);
        return store.get(id);
      },
      'compare.leaderboard': () => leaderboard(store.blindVotes()),
      'compare.sets': () => [...BUILTIN_SETS, ...store.userSets()],
      'compare.saveSet': ({ id, set }) => {
        if (id !== null && !store.userSets().some((existing) => existing.id === id))
          throw new EnclaveError('NOT_FOUND', `no prompt set ${id} of yours (shipped sets are read-only: save a copy)`, { id });
        return store.saveSet(id, set);
      },
      'compare.deleteSet': ({ id }) => {
        store.deleteSet(id);
        return { deleted: true };
      },
      'compare.importSet': ({ content, format, name }) => store.saveSet(null, parseSet(content, format, name)),
      'compare.exportSet': ({ id, format }) => exportSet(this.set(id), format),
      'compare.startBatch': (input) => {
        this.assertModels(input.modelIds);
        this.assertDocuments(input.documents);
        const set = this.set(input.setId);
        // Blind: the models change columns from one prompt to the next, so recognising one answer's style names no other.
        const orders = input.blind === true ? balancedColumnOrders(input.modelIds.length, set.prompts.length) : null;
        const id = store.create({
          kind: 'batch',
          title: set.name,
          systemPrompt: '',
          blind: input.blind ?? false,
          sampling: input.sampling ?? {},
          documents: input.documents,
          columns: input.modelIds.map((modelId) => ({ modelId, reference: false })),
          turns: set.prompts.map((prompt, turn) => ({
            prompt: prompt.prompt,
            category: prompt.category,
            gradingNotes: prompt.gradingNotes ?? null,
            ...(orders !== null && { columnOrder: orders[turn] }),
          })),
        });
        return started(id);
      },
      'compare.replay': (input) => {
        this.assertModels(input.modelIds, LIMITS_COMPARE.minReplayModels);
        if (new Set(input.conversationIds).size !== input.conversationIds.length) throw new EnclaveError('BAD_REQUEST', 'each conversation can be replayed once per request');
        // Every conversation is checked before any run is saved.
        const replays = input.conversationIds.map((conversationId) => {
          const conversation = this.options.conversations.get(conversationId);
          return { conversation, turns: replayTurns(conversation) };
        });
        const ids = replays.map(({ conversation, turns }) =>
          store.create({
            kind: 'replay',
            title: conversation.title || 'ChatGPT',
            systemPrompt: conversation.settings.systemPrompt,
            blind: false,
            sampling: input.sampling ?? {},
            columns: [{ modelId: null, reference: true }, ...input.modelIds.map((modelId) => ({ modelId, reference: false }))],
            turns,
          }),
        );
        return ids.map(started);
      },
      'compare.report': ({ runIds, format, locale }) => this.report(runIds ?? store.list().map((run) => run.id), format, locale ?? 'en'),
    };
  }

  private async report(runIds: readonly string[], format: 'html' | 'csv', locale: ReportLocale): Promise<ReportFile> {
    const runs = runIds.map((id) => this.store.get(id));
    const now = new Date();
    const names = this.modelNames(runs);
    const content = format === 'html' ? reportHtml(runs, now, locale, names) : reportCsv(runs, locale, names);
    const fileName = `enclave-comparison-${now.toISOString().slice(0, 19).replaceAll(':', '-')}.${format}`;
    const mimeType = format === 'html' ? 'text/html' : 'text/csv';
    if (this.options.saveReport !== undefined) {
      return { fileName, mimeType, content, savedTo: await this.options.saveReport({ fileName, content }) };
    }
    const folder = join(this.options.dataDir, REPORTS_DIR_NAME);
    mkdirSync(folder, { recursive: true });
    const savedTo = join(folder, fileName);
    writeFileSync(savedTo, content);
    return { fileName, mimeType, content, savedTo };
  }

  /** The library's names of the models these runs used; a name two of them share gets its file name; a server's model, or one no longer in the library, its id's label. */
  private modelNames(runs: readonly CompareRun[]): ModelNames {
    const used = new Set(runs.flatMap((run) => run.columnList.flatMap((column) => (column.modelId === null ? [] : [column.modelId]))));
    const library = new Map(this.options.library.list().map((model) => [model.id, model]));
    const named = [...used].map((id) => ({ id, name: library.get(id)?.name.trim() || modelIdLabel(id) }));
    const labels = new Map(named.map(({ id, name }) => [id, named.filter((other) => other.name === name).length > 1 ? `${name} (${library.get(id)?.fileName ?? id})` : name]));
    return (modelId) => labels.get(modelId) ?? modelId;
  }

  private set(id: string): ReturnType<CompareStore['userSets']>[number] {
    const set = [...BUILTIN_SETS, ...this.store.userSets()].find((candidate) => candidate.id === id);
    if (set === undefined) throw new EnclaveError('NOT_FOUND', `no prompt set ${id}`, { id });
    return set;
  }

  /** Refused before anything is saved: a collection that is not in the app, or documents where this workbench has none. */
  private assertDocuments(documents: CompareDocuments | undefined): void {
    if (documents === undefined) return;
    const port = this.options.documents;
    if (port === undefined) throw new EnclaveError('FORBIDDEN', 'this workbench answers without documents');
    for (const id of new Set(documents.collectionIds)) port.assertCollection(id);
  }

  /** Refused before anything is saved: a model that cannot answer (not in the library, unusable, no such server), or twice the same model. */
  private assertModels(modelIds: readonly string[], min: number = LIMITS_COMPARE.minModels): void {
    if (new Set(modelIds).size !== modelIds.length) throw new EnclaveError('BAD_REQUEST', 'each model can be compared once per run');
    if (modelIds.length < min) throw new EnclaveError('BAD_REQUEST', `compare at least ${min} models`);
    for (const modelId of modelIds) this.options.chat.assertModel(modelId);
  }
}
