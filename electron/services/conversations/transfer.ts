/**
 * Conversations in and out: one as Markdown (the shown path) or JSON (every branch), all of them
 * as one JSON archive, and a ChatGPT data export (conversations.json) imported with its branches.
 */
import type { ReportLocale } from '#shared/compare.ts';
import type { Conversation, ExportedFile } from '#shared/conversations.ts';
import type { StoredMessage } from '#shared/chat.ts';
import { EnclaveError } from '#shared/errors.ts';
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

interface ChatGptNode {
  id?: unknown;
  parent?: unknown;
  children?: unknown;
  message?: {
    author?: { role?: unknown };
    content?: { content_type?: unknown; parts?: unknown };
    create_time?: unknown;
    metadata?: { model_slug?: unknown };
  } | null;
}

interface ChatGptConversation {
  title?: unknown;
  create_time?: unknown;
  mapping?: Record<string, ChatGptNode>;
  current_node?: unknown;
}

/**
 * Imports ChatGPT's conversations.json: each conversation with its branches (edits and
 * regenerations), marked as coming from ChatGPT. System, tool and non-text messages are skipped
 * (a system message becomes the system prompt). Returns how many conversations were imported.
 */
export function importChatGpt(service: ConversationService, json: string): { imported: number; messages: number } {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new EnclaveError('IMPORT_INVALID', 'the file is not JSON', { reason: 'json' });
  }
  if (!Array.isArray(data) || !data.every((item) => typeof item === 'object' && item !== null && typeof (item as ChatGptConversation).mapping === 'object')) {
    throw new EnclaveError('IMPORT_INVALID', 'this is not a ChatGPT conversations.json export', { reason: 'shape' });
  }
  let messages = 0;
  for (const conversation of data as ChatGptConversation[]) messages += importOne(service, conversation);
  return { imported: data.length, messages };
}

function importOne(service: ConversationService, source: ChatGptConversation): number {
  const mapping = source.mapping ?? {};
  const created = service.create({
    title: typeof source.title === 'string' ? source.title : '',
    source: 'chatgpt',
    createdAt: seconds(source.create_time) ?? Date.now(),
  });
  /** ChatGPT node id → the imported message it maps to (or that of its nearest imported ancestor). */
  const mapped = new Map<string, string | null>();
  let systemPrompt = '';
  let count = 0;
  const roots = Object.entries(mapping).filter(([, node]) => typeof node.parent !== 'string' || !(node.parent in mapping));
  const stack: [string, string | null][] = roots.map(([id]) => [id, null]).reverse() as [string, string | null][];
  while (stack.length > 0) {
    const [nodeId, parentMessageId] = stack.pop() as [string, string | null];
    const node = mapping[nodeId];
    if (node === undefined || mapped.has(nodeId)) continue;
    let here = parentMessageId;
    const role = node.message?.author?.role;
    const text = textOf(node);
    if ((role === 'user' || role === 'assistant') && text !== '') {
      const model = node.message?.metadata?.model_slug;
      here = service.addMessage(created.id, {
        parentId: parentMessageId,
        role,
        content: text,
        modelId: role === 'assistant' && typeof model === 'string' ? `chatgpt:${model}` : null,
        createdAt: seconds(node.message?.create_time) ?? created.createdAt,
      }).id;
      count++;
    } else if (role === 'system' && text !== '' && systemPrompt === '') {
      systemPrompt = text;
    }
    mapped.set(nodeId, here);
    const children = Array.isArray(node.children) ? node.children.filter((c): c is string => typeof c === 'string') : [];
    for (const child of [...children].reverse()) stack.push([child, here]);
  }
  if (systemPrompt !== '') service.updateSettings(created.id, { ...service.settingsOf(created.id), systemPrompt });
  const leaf = typeof source.current_node === 'string' ? mapped.get(source.current_node) : undefined;
  if (leaf !== undefined && leaf !== null) service.selectBranch(created.id, leaf);
  return count;
}

function textOf(node: ChatGptNode): string {
  const content = node.message?.content;
  if (content?.content_type !== 'text' || !Array.isArray(content.parts)) return '';
  return content.parts
    .filter((part): part is string => typeof part === 'string')
    .join('\n')
    .trim();
}

function seconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 1000) : null;
}
