/**
 * Conversations out: one as Markdown (the shown path) or JSON (every branch), all of them as one
 * JSON archive. Imports are in import/.
 */
import type { ReportLocale } from '#shared/compare.ts';
import type { Conversation, ExportedFile } from '#shared/conversations.ts';
import type { StoredMessage } from '#shared/chat.ts';
import type { ConversationService } from './conversation-service.ts';

export const EXPORT_FORMAT = 'enclave.conversations';
export const EXPORT_VERSION = 1;

/** The words of a Markdown export, in the interface's language (the host writes the file). */
const MARKDOWN_WORDS: Record<ReportLocale, { untitled: string; system: string; you: string; assistant: string }> = {
  en: { untitled: 'Conversation', system: 'System: ', you: 'You', assistant: 'Assistant' },
  // French puts a (no-break) space before a colon.
  fr: { untitled: 'Conversation', system: 'Système\u00a0: ', you: 'Vous', assistant: 'Assistant' },
};

export function exportMarkdown(service: ConversationService, id: string, locale: ReportLocale = 'en'): ExportedFile {
  const conversation = service.get(id);
  const words = MARKDOWN_WORDS[locale];
  const lines = [`# ${conversation.title || words.untitled}`, ''];
  if (conversation.settings.systemPrompt !== '') lines.push(`> ${words.system}${conversation.settings.systemPrompt.replaceAll('\n', '\n> ')}`, '');
  for (const message of conversation.messages) {
    const author = message.role === 'user' ? words.you : (message.modelId ?? words.assistant);
    lines.push(`## ${author}`, '', message.content, '');
  }
  return { fileName: `${fileNameOf(conversation.title)}.md`, mimeType: 'text/markdown', content: lines.join('\n') };
}

export function exportJson(service: ConversationService, id: string): ExportedFile {
  const conversation = service.get(id);
  const archive = { format: EXPORT_FORMAT, version: EXPORT_VERSION, conversations: [snapshot(service, conversation)] };
  return { fileName: `${fileNameOf(conversation.title)}.json`, mimeType: 'application/json', content: JSON.stringify(archive, null, 2) };
}

export function exportArchive(service: ConversationService, now: Date = new Date()): ExportedFile {
  const conversations = service.list().map((summary) => snapshot(service, service.get(summary.id)));
  const day = now.toISOString().slice(0, 10);
  return { fileName: `enclave-conversations-${day}.json`, mimeType: 'application/json', content: JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, conversations }) };
}

/** The conversation with every message of every branch (the shown path is `leafId` and its ancestors). */
function snapshot(service: ConversationService, conversation: Conversation): object {
  const messages = service.allMessages(conversation.id).map((message: StoredMessage) => ({
    id: message.id,
    parentId: message.parentId,
    role: message.role,
    content: message.content,
    state: message.state,
    modelId: message.modelId,
    stats: message.stats,
    createdAt: message.createdAt,
  }));
  return { ...conversation, messages };
}

function fileNameOf(title: string): string {
  const safe = title
    .replace(/[^\p{L}\p{N} _-]+/gu, ' ')
    .trim()
    .replace(/\s+/g, '-')
    .slice(0, 80);
  return safe === '' ? 'conversation' : safe;
}
