import { ModelPicker } from './ModelPicker.tsx';
import { ConversationSidebar } from './ConversationSidebar.tsx';

/** The chat page's sidebar: the conversations, then the models to chat with. */
export function ChatSidebar() {
  return (
    <div className="chat-sidebar">
      <ConversationSidebar />
      <ModelPicker />
    </div>
  );
}
