/** ChatGPT exports made by the tests: conversations as ChatGPT writes them, as a .json or zipped as delivered. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import yazl from 'yazl';

export interface Turn {
  role: 'user' | 'assistant' | 'tool' | 'system';
  content: Record<string, unknown>;
  name?: string;
  recipient?: string;
  hidden?: boolean;
}

/** One linear conversation of ChatGPT's shape, its nodes named `<id>-n<i>`. */
export function chatGptConversation(id: string, title: string, turns: readonly Turn[]): object {
  const mapping: Record<string, object> = { [`${id}-root`]: { id: `${id}-root`, message: null, parent: null, children: turns.length > 0 ? [`${id}-n0`] : [] } };
  turns.forEach((turn, index) => {
    mapping[`${id}-n${index}`] = {
      id: `${id}-n${index}`,
      message: {
        id: `${id}-n${index}`,
        author: { role: turn.role, ...(turn.name !== undefined && { name: turn.name }) },
        recipient: turn.recipient ?? 'all',
        content: turn.content,
        create_time: 1_720_000_000 + index,
        metadata: { ...(turn.role === 'assistant' && { model_slug: 'gpt-4o' }), ...(turn.hidden === true && { is_visually_hidden_from_conversation: true }) },
      },
      parent: index === 0 ? `${id}-root` : `${id}-n${index - 1}`,
      children: index + 1 < turns.length ? [`${id}-n${index + 1}`] : [],
    };
  });
  return { id, conversation_id: id, title, create_time: 1_720_000_000, mapping, current_node: `${id}-n${turns.length - 1}` };
}

export const text = (value: string): Record<string, unknown> => ({ content_type: 'text', parts: [value] });

/** Writes `count` conversations to a conversations.json, streamed (it can be far larger than memory should hold). */
export async function writeLargeExport(path: string, count: number, makeConversation: (index: number) => object): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (chunk: string): Promise<void> => {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  };
  await write('[');
  for (let index = 0; index < count; index++) await write(`${index === 0 ? '' : ','}${JSON.stringify(makeConversation(index))}`);
  await write(']');
  out.end();
  await once(out, 'finish');
  return bytes;
}

/** A zip of `files` (name → content or path on disk), as ChatGPT delivers its export. */
export async function writeZip(path: string, files: Record<string, string | { path: string }>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string') zip.addBuffer(Buffer.from(content), name);
    else zip.addFile(content.path, name);
  }
  zip.end();
  const out = createWriteStream(path);
  zip.outputStream.pipe(out);
  await once(out, 'finish');
}
