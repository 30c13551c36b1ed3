import { ConversationSidebar } from './ConversationSidebar.tsx';

/** The chat page's sidebar: the conversations (the model is chosen at the top of the chat). */
export function ChatSidebar() {
  return (
    <div className="chat-sidebar">
      <ConversationSidebar />
    </div>
  );
}
