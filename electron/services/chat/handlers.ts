/** The chat's commands: start an answer (in a saved conversation or for a given history) and stop one. */
import type { chatCommandSchemas } from '#shared/chat.ts';
import { EnclaveError } from '#shared/errors.ts';
import type { Handlers } from '../../router/router.ts';
import type { ConversationChat } from '../conversations/conversation-chat.ts';
import type { ChatService } from './chat-service.ts';

export type ChatCommand = keyof typeof chatCommandSchemas;

export function chatHandlers(chat: ChatService, conversationChat: ConversationChat): Handlers<ChatCommand> {
  return {
    'chat.generate': ({ conversation, messages, ...rest }) =>
      conversation !== undefined ? conversationChat.generate({ ...rest, conversation }) : chat.generate({ ...rest, messages: requireMessages(messages) }),
    'chat.stop': (input) => chat.stop(input.jobId),
  };
}

/** The schema already refuses a call with neither; this narrows the type. */
export function requireMessages<T>(messages: T | undefined): T {
  if (messages === undefined) throw new EnclaveError('BAD_REQUEST', 'give either messages or conversation');
  return messages;
}
