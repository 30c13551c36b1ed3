/**
 * One message of a ChatGPT export as Enclave keeps it. Every text part of a user or assistant turn
 * is kept (code too); images and files are named as omitted; tool calls and their outputs (code
 * interpreter, browsing) become readable blocks; o-series reasoning goes to the reasoning segment.
 * Hidden context (custom instructions, memory) and parts with nothing readable are dropped and counted.
 */
import type { ReportLocale } from '#shared/compare.ts';

export interface ChatGptMessage {
  author?: { role?: unknown; name?: unknown };
  recipient?: unknown;
  content?: Record<string, unknown> & { content_type?: unknown; parts?: unknown };
  create_time?: unknown;
  metadata?: { model_slug?: unknown; is_visually_hidden_from_conversation?: unknown };
}

/** What a ChatGPT message becomes: text on one side of the turn, or reasoning for the next answer. */
export interface ConvertedMessage {
  side: 'user' | 'assistant' | 'system' | 'none';
  text: string;
  reasoning: string;
  imagesOmitted: number;
  toolBlocks: number;
  partsDropped: number;
}

/** The words written into imported messages, in the interface's language at the time of the import. */
const WORDS: Record<ReportLocale, { image: string; file: string; output: string; browsing: string; error: string }> = {
  en: { image: '[Image omitted]', file: '[File omitted]', output: 'Output', browsing: 'Browsing', error: 'Error' },
  fr: { image: '[Image non importée]', file: '[Fichier non importé]', output: 'Résultat', browsing: 'Navigation', error: 'Erreur' },
};

export function convertMessage(message: ChatGptMessage, locale: ReportLocale): ConvertedMessage {
  const words = WORDS[locale];
  const result: ConvertedMessage = { side: 'none', text: '', reasoning: '', imagesOmitted: 0, toolBlocks: 0, partsDropped: 0 };
  const role = message.author?.role;
  const content = message.content ?? {};
  const type = content.content_type;
  if (message.metadata?.is_visually_hidden_from_conversation === true || type === 'user_editable_context' || type === 'model_editable_context') {
    result.partsDropped = 1;
    return result;
  }
  if (role === 'system') return { ...result, side: 'system', text: partsText(content.parts, words, result) };
  if (role !== 'user' && role !== 'assistant' && role !== 'tool') {
    result.partsDropped = 1;
    return result;
  }
  const side = role === 'user' ? 'user' : 'assistant';
  const tool = typeof message.author?.name === 'string' ? message.author.name : typeof message.recipient === 'string' && message.recipient !== 'all' ? message.recipient : '';
  switch (type) {
    case 'text':
    case 'multimodal_text': {
      const text = partsText(content.parts, words, result);
      if (role === 'tool' && text !== '') result.toolBlocks++;
      return finish({ ...result, side, text: role === 'tool' && text !== '' ? labelled(`${tool || words.output}`, text) : text });
    }
    case 'code': {
      const code = stringOf(content.text);
      const language = stringOf(content.language);
      if (code === '') return dropped(result);
      // A user's code is part of their question; an assistant's addressed to a tool is a call to it (code interpreter, browsing).
      if (role === 'tool' || tool !== '') result.toolBlocks++;
      return { ...result, side, text: fence(code, language === 'unknown' ? '' : language) };
    }
    case 'execution_output': {
      const text = stringOf(content.text);
      if (text === '') return dropped(result);
      result.toolBlocks++;
      return { ...result, side: 'assistant', text: labelled(`${words.output}${tool === '' ? '' : ` (${tool})`}`, fence(text, '')) };
    }
    case 'tether_browsing_display':
    case 'tether_quote': {
      const text = [stringOf(content.title), stringOf(content.url), stringOf(content.summary) || stringOf(content.result) || stringOf(content.text)].filter((line) => line !== '').join('\n');
      if (text === '') return dropped(result);
      result.toolBlocks++;
      return { ...result, side: 'assistant', text: labelled(words.browsing, quote(text)) };
    }
    case 'system_error': {
      const text = stringOf(content.text);
      if (text === '') return dropped(result);
      result.toolBlocks++;
      return { ...result, side: 'assistant', text: labelled(`${words.error}${tool === '' ? '' : ` (${tool})`}`, quote(text)) };
    }
    case 'thoughts': {
      const thoughts = Array.isArray(content.thoughts) ? (content.thoughts as unknown[]) : [];
      const reasoning = thoughts
        .map((thought) => (typeof thought === 'object' && thought !== null ? [stringOf((thought as { summary?: unknown }).summary), stringOf((thought as { content?: unknown }).content)] : []))
        .map((pair) => pair.filter((line) => line !== '').join('\n\n'))
        .filter((text) => text !== '')
        .join('\n\n');
      return reasoning === '' ? dropped(result) : { ...result, side: 'assistant', reasoning };
    }
    default:
      // reasoning_recap ("Thought for 5 seconds"), audio without a transcription, and types this importer does not know.
      return dropped(result);
  }
}

function partsText(parts: unknown, words: (typeof WORDS)[ReportLocale], counts: ConvertedMessage): string {
  if (!Array.isArray(parts)) return '';
  const texts: string[] = [];
  for (const part of parts as unknown[]) {
    if (typeof part === 'string') {
      if (part.trim() !== '') texts.push(part);
      continue;
    }
    const object = typeof part === 'object' && part !== null ? (part as Record<string, unknown>) : {};
    const type = stringOf(object.content_type);
    if (typeof object.text === 'string' && object.text.trim() !== '') texts.push(object.text);
    else if (type === 'image_asset_pointer') {
      texts.push(words.image);
      counts.imagesOmitted++;
    } else if (type.endsWith('asset_pointer') || type === 'file') {
      texts.push(words.file);
      counts.imagesOmitted++;
    } else counts.partsDropped++;
  }
  return texts.join('\n\n').trim();
}

function finish(result: ConvertedMessage): ConvertedMessage {
  return result.text === '' && result.imagesOmitted === 0 ? dropped(result) : result;
}

function dropped(result: ConvertedMessage): ConvertedMessage {
  return { ...result, side: 'none', partsDropped: result.partsDropped + 1 };
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function fence(text: string, language: string): string {
  const ticks = '`'.repeat(Math.max(3, ...Array.from(text.matchAll(/`{3,}/g), (match) => match[0].length + 1)));
  return `${ticks}${language}\n${text}\n${ticks}`;
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

function labelled(label: string, block: string): string {
  return `**${label}**\n\n${block}`;
}
