/** ChatGPT replay: the user turns of an imported ChatGPT conversation, with ChatGPT's answers as the reference. */
import type { Conversation } from '#shared/conversations.ts';
import { EnclaveError } from '#shared/errors.ts';
import type { NewRun } from './store.ts';

export function replayTurns(conversation: Conversation): NewRun['turns'] {
  if (conversation.source !== 'chatgpt') throw new EnclaveError('BAD_REQUEST', 'only conversations imported from ChatGPT can be replayed', { id: conversation.id });
  const turns: NewRun['turns'] = [];
  conversation.messages.forEach((message, index) => {
    if (message.role !== 'user') return;
    const next = conversation.messages[index + 1];
    turns.push({ prompt: message.content, category: 'chatgpt-replay', gradingNotes: null, references: next?.role === 'assistant' ? next.content : '' });
  });
  if (turns.length === 0) throw new EnclaveError('BAD_REQUEST', 'this conversation has no question to replay', { id: conversation.id });
  return turns;
}
