import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatInteger } from '../../i18n/format.ts';
import { useAppState } from '../../state/react.tsx';
import { contextUse, estimateTokens } from './context-use.ts';

/**
 * Tells the user before the conversation outgrows the loaded model's context window, and what
 * happens then: node-llama-cpp's context shift leaves the oldest answers out of what the model
 * sees (the system prompt stays). Nothing is deleted from the conversation itself.
 */
export function ContextNotice() {
  const { t, i18n } = useTranslation();
  const messages = useAppState((s) => s.messages);
  const systemPrompt = useAppState((s) => s.conversation?.settings.systemPrompt ?? '');
  const contextSize = useAppState((s) => (s.engine !== null && s.engine.loadedModelId === s.selectedModelId ? s.engine.contextSize : null));
  const tokens = useMemo(() => estimateTokens(messages, systemPrompt), [messages, systemPrompt]);
  const use = contextUse(tokens, contextSize);
  if (use.level === 'ok') return null;
  const values = { tokens: formatInteger(i18n.language, use.tokens), size: formatInteger(i18n.language, use.contextSize) };
  return (
    <div className="notice" role="status" data-testid="context-notice" data-level={use.level}>
      <p>{use.level === 'near' ? t('conversations.contextNear', values) : t('conversations.contextOver', values)}</p>
    </div>
  );
}
