import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatInteger } from '../../i18n/format.ts';
import { selectSelectedModel } from '../../state/slices/models.ts';
import { useAppSelector } from '../../state/react.tsx';
import { contextUse, estimateTokens, expectedContextSize } from './context-use.ts';

const NO_SAMPLING = {};

/**
 * Tells the user before the conversation and its next answer outgrow the chosen model's context
 * window (from the model's GGUF header, or the loaded context), and what happens then:
 * node-llama-cpp's context shift drops the oldest messages from what the model sees (the system
 * prompt stays). Nothing is deleted from the conversation itself.
 */
export function ContextNotice() {
  const { t, i18n } = useTranslation();
  const messages = useAppSelector((s) => s.chat.messages);
  const systemPrompt = useAppSelector((s) => s.chat.conversation?.settings.systemPrompt ?? '');
  const sampling = useAppSelector((s) => s.chat.conversation?.settings.sampling ?? NO_SAMPLING);
  const modelContextLength = useAppSelector((s) => selectSelectedModel(s)?.contextLength ?? null);
  const loadedContextSize = useAppSelector((s) => s.host.engine?.loaded.find((loaded) => loaded.modelId === selectSelectedModel(s)?.id)?.contextSize ?? null);
  const tokens = useMemo(() => estimateTokens(messages, systemPrompt), [messages, systemPrompt]);
  const use = contextUse(tokens, sampling, expectedContextSize(modelContextLength, sampling, loadedContextSize));
  if (use.level === 'ok') return null;
  const values = {
    tokens: formatInteger(i18n.language, use.tokens),
    size: formatInteger(i18n.language, use.contextSize),
    answer: formatInteger(i18n.language, use.answerTokens),
  };
  return (
    <div className="notice" role="status" data-testid="context-notice" data-level={use.level}>
      <p>{use.level === 'near' ? t('conversations.contextNear', values) : t('conversations.contextOver', values)}</p>
    </div>
  );
}
