/**
 * Generation inside a saved conversation: the host stores the question, creates the answer row as
 * `generating` when the job starts, saves its text as it streams (about once a second) and its
 * final text, state and statistics when it ends. A killed process loses at most that last second.
 */
import { newJobId, type AnswerSource, type ChatMessage, type Sampling } from '#shared/chat.ts';
import type { SavedTurn, StoredMessage } from '#shared/chat.ts';
import type { DocumentAttachment } from '#shared/documents.ts';
import { EnclaveError } from '#shared/errors.ts';
import { APP_CALLER, bothObservers, type Caller, type ChatService, type JobObserver } from '../chat/chat-service.ts';
import { citedSources, type AnswerLocale, type Grounding } from '../documents/grounding.ts';
import type { ConversationService } from './conversation-service.ts';
import { StreamedText } from '../chat/streamed-text.ts';

export interface GenerateInConversation {
  jobId?: string | undefined;
  modelId: string;
  sampling?: Sampling | undefined;
  conversation: {
    id: string | null;
    parentId: string | null;
    content?: string | undefined;
    documents?: (DocumentAttachment & { locale?: AnswerLocale | undefined }) | undefined;
  };
}

/** What a conversation needs of the documents feature to ground its answers (the app's conversations only). */
export interface DocumentsPort {
  attachment(conversationId: string): DocumentAttachment;
  attach(conversationId: string, attachment: DocumentAttachment): void;
  ground(attachment: DocumentAttachment, history: readonly ChatMessage[], contextTokens: number, locale: AnswerLocale): Promise<Grounding>;
  /** The model's context window (loaded, or as the conversation asks), in tokens. */
  contextTokens(modelId: string, sampling: Sampling): number;
}

export class ConversationChat {
  private readonly conversations: ConversationService;
  private readonly chat: ChatService;
  private readonly now: () => number;
  /** Whose turn it is in the chat queue: the app, or one workshop participant. */
  private readonly caller: Caller;
  private documents: DocumentsPort | null = null;

  constructor(conversations: ConversationService, chat: ChatService, now: () => number = Date.now, caller: Caller = APP_CALLER) {
    this.conversations = conversations;
    this.chat = chat;
    this.now = now;
    this.caller = caller;
  }

  /** Answers in conversations with attached collections are grounded in their documents. */
  useDocuments(documents: DocumentsPort): void {
    this.documents = documents;
  }

  /** `follow`: another observer of the job, told after the answer is saved. */
  async generate(input: GenerateInConversation, follow?: (jobId: string) => JobObserver): Promise<{ jobId: string; saved: SavedTurn }> {
    const { parentId, content } = input.conversation;
    // Refused before anything is saved: an unknown model or a running answer.
    this.chat.assertCanStart(input.modelId, this.caller);
    if (input.conversation.id === null && (content === undefined || parentId !== null)) {
      throw new EnclaveError('BAD_REQUEST', 'a new conversation starts with a question and no parent');
    }
    const id = input.conversation.id ?? this.conversations.create({ settings: { modelId: input.modelId } }).id;
    const settings = this.conversations.settingsOf(id);
    if (content === undefined) {
      if (parentId === null || this.conversations.message(id, parentId).role !== 'user') {
        throw new EnclaveError('BAD_REQUEST', 'regenerate needs the question to answer as parentId', { parentId });
      }
    }
    const question = content === undefined ? null : this.conversations.addMessage(id, { parentId, role: 'user', content });
    const answerTo = question?.id ?? parentId;
    const sampling = { ...settings.sampling, ...input.sampling };
    const history = this.conversations.history(id, answerTo);
    const grounding = await this.ground(id, history, input, sampling);
    if (grounding.kind === 'notFound') {
      // Documents only, and nothing in them answers: said without asking the model.
      const answer = this.conversations.addMessage(id, { parentId: answerTo, role: 'assistant', content: grounding.text, state: 'done', modelId: input.modelId });
      return { jobId: input.jobId ?? newJobId(), saved: { conversationId: id, question, answer } };
    }
    const sources = grounding.kind === 'grounded' ? grounding.sources : null;
    const created: { answer?: StoredMessage } = {};
    const { jobId } = await this.chat.generate(
      { jobId: input.jobId, modelId: input.modelId, messages: grounding.kind === 'grounded' ? grounding.messages : history, sampling },
      (jobId) => {
        created.answer = this.conversations.addMessage(id, { parentId: answerTo, role: 'assistant', content: '', state: 'generating', modelId: input.modelId });
        const saving = this.observe(created.answer.id, sources);
        return follow === undefined ? saving : bothObservers(saving, follow(jobId));
      },
      this.caller,
    );
    if (created.answer === undefined) throw new EnclaveError('INTERNAL', 'the answer row was not created');
    if (settings.modelId !== input.modelId) this.conversations.updateSettings(id, { ...settings, modelId: input.modelId });
    return { jobId, saved: { conversationId: id, question, answer: created.answer } };
  }

  private async ground(conversationId: string, history: readonly ChatMessage[], input: GenerateInConversation, sampling: Sampling): Promise<Grounding> {
    const { documents } = this;
    if (documents === null) return { kind: 'none' };
    const asked = input.conversation.documents;
    if (asked !== undefined) documents.attach(conversationId, { collectionIds: asked.collectionIds, only: asked.only });
    // Read back rather than taken as asked: collections deleted meanwhile drop out.
    return documents.ground(documents.attachment(conversationId), history, documents.contextTokens(input.modelId, sampling), asked?.locale ?? 'en');
  }

  /** `sources`: the numbered passages given with the question; the answer keeps those it cites. */
  private observe(answerId: string, sources: AnswerSource[] | null): JobObserver {
    // A failed write (disk full, database closed at shutdown) must not stop the answer streaming;
    // the row stays `generating` and becomes `interrupted` on the next start.
    const save = (update: Parameters<ConversationService['updateAnswer']>[1]): void => {
      try {
        this.conversations.updateAnswer(answerId, update);
      } catch (error) {
        console.error(`Enclave: could not save answer ${answerId}:`, error);
      }
    };
    const text = new StreamedText((content) => save({ content }), this.now);
    const reasoning = new StreamedText((thought) => save({ content: text.value, reasoning: thought }), this.now);
    return {
      onDelta: (delta) => text.append(delta),
      onThought: (delta) => reasoning.append(delta),
      onDone: (finalText, stats, finalReasoning) => {
        const state = stats.stopReason === 'abort' ? 'stopped' : 'done';
        const content = text.final(finalText);
        save({ content, reasoning: reasoning.final(finalReasoning), state, stats, ...(sources !== null && { sources: citedSources(content, sources) }) });
      },
      onError: () => save({ content: text.value, reasoning: reasoning.value, state: 'error', stats: null }),
    };
  }
}
