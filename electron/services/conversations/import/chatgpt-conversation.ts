/**
 * A ChatGPT conversation (its `mapping` tree) as the messages Enclave stores, with ids derived from
 * ChatGPT's own ids: importing the same export again finds them and adds nothing. A turn that
 * ChatGPT splits over several nodes (reasoning, a tool call, its output, then the answer) becomes
 * one assistant message when they follow one another without a branch.
 */
import { createHash } from 'node:crypto';
import type { ReportLocale } from '#shared/compare.ts';
import type { ImportedConversation, ImportedMessage } from '../conversation-service.ts';
import { convertMessage, type ChatGptMessage } from './chatgpt-message.ts';

interface ChatGptNode {
  parent?: unknown;
  children?: unknown;
  message?: ChatGptMessage | null;
}

export interface ChatGptConversation {
  id?: unknown;
  conversation_id?: unknown;
  title?: unknown;
  create_time?: unknown;
  mapping: Record<string, ChatGptNode>;
  current_node?: unknown;
}

export interface ConversionCounts {
  imagesOmitted: number;
  toolBlocks: number;
  partsDropped: number;
}

export function isChatGptConversation(value: unknown): value is ChatGptConversation {
  if (typeof value !== 'object' || value === null) return false;
  const mapping = (value as { mapping?: unknown }).mapping;
  return typeof mapping === 'object' && mapping !== null && !Array.isArray(mapping);
}

export function convertConversation(source: ChatGptConversation, locale: ReportLocale, counts: ConversionCounts): ImportedConversation {
  const key = conversationKey(source);
  const id = `chatgpt-${key}`;
  const createdAt = seconds(source.create_time) ?? 0;
  const mapping = source.mapping;
  const messages: ImportedMessage[] = [];
  const byId = new Map<string, ImportedMessage>();
  /** ChatGPT node id → the imported message it maps to (or that of its nearest imported ancestor). */
  const mapped = new Map<string, string | null>();
  let systemPrompt = '';
  const roots = Object.keys(mapping).filter((nodeId) => {
    const parent = mapping[nodeId]?.parent;
    return typeof parent !== 'string' || !Object.hasOwn(mapping, parent);
  });
  const stack: [string, string | null, boolean][] = roots.map((nodeId): [string, string | null, boolean] => [nodeId, null, false]).reverse();
  while (stack.length > 0) {
    const [nodeId, parentId, onlyChild] = stack.pop() as [string, string | null, boolean];
    const node = mapping[nodeId];
    if (node === undefined || mapped.has(nodeId)) continue;
    let here = parentId;
    if (node.message !== undefined && node.message !== null) {
      const converted = convertMessage(node.message, locale);
      counts.imagesOmitted += converted.imagesOmitted;
      counts.toolBlocks += converted.toolBlocks;
      counts.partsDropped += converted.partsDropped;
      const parent = parentId === null ? undefined : byId.get(parentId);
      if (converted.side === 'system') {
        if (systemPrompt === '') systemPrompt = converted.text;
      } else if (converted.side === 'assistant' && parent?.role === 'assistant' && onlyChild) {
        parent.content = join(parent.content, converted.text);
        parent.reasoning = join(parent.reasoning ?? '', converted.reasoning) || null;
      } else if (converted.side === 'user' || converted.side === 'assistant') {
        const model = node.message.metadata?.model_slug;
        const message: ImportedMessage = {
          id: `cg-${hash(`${key}\u0000${nodeId}`)}`,
          parentId,
          role: converted.side,
          content: converted.text,
          reasoning: converted.reasoning === '' ? null : converted.reasoning,
          modelId: converted.side === 'assistant' && typeof model === 'string' ? `chatgpt:${model}` : null,
          createdAt: seconds(node.message.create_time) ?? parent?.createdAt ?? createdAt,
        };
        messages.push(message);
        byId.set(message.id, message);
        here = message.id;
      }
    }
    mapped.set(nodeId, here);
    const children = Array.isArray(node.children) ? (node.children as unknown[]).filter((child): child is string => typeof child === 'string') : [];
    for (const child of [...children].reverse()) stack.push([child, here, children.length === 1]);
  }
  const leaf = typeof source.current_node === 'string' ? mapped.get(source.current_node) : undefined;
  return {
    id,
    title: typeof source.title === 'string' ? source.title : '',
    source: 'chatgpt',
    createdAt: createdAt || (messages[0]?.createdAt ?? 0),
    systemPrompt,
    messages,
    leafId: leaf ?? messages.at(-1)?.id ?? null,
  };
}

/** ChatGPT's conversation id; older exports without one are known by their date, title and node ids. */
function conversationKey(source: ChatGptConversation): string {
  const own = typeof source.id === 'string' ? source.id : typeof source.conversation_id === 'string' ? source.conversation_id : null;
  if (own !== null && /^[\w-]{1,100}$/.test(own)) return own;
  return hash(JSON.stringify([source.create_time, source.title, Object.keys(source.mapping).sort()]));
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function join(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a}\n\n${b}`;
}

function seconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 1000) : null;
}
