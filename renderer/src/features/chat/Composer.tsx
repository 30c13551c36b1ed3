import { useEffect, useRef } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { selectCanSend, selectIsGenerating } from '../../state/slices/chat.ts';
import { isUsable, selectSelectedModel } from '../../state/slices/models.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { isSubmitKey } from './submit-key.ts';
import { COMPOSER_ID } from './SkipToComposer.tsx';

export function Composer() {
  const { t } = useTranslation();
  const draft = useAppSelector((s) => s.chat.draft);
  const canSend = useAppSelector(selectCanSend);
  const generating = useAppSelector(selectIsGenerating);
  const stopping = useAppSelector((s) => s.chat.job?.stopRequested === true);
  const modelReady = useAppSelector((s) => isUsable(selectSelectedModel(s)));
  const { setDraft, send, stop } = useActions().chat;
  const textarea = useRef<HTMLTextAreaElement>(null);

  // Esc stops the answer wherever the focus is.
  useEffect(() => {
    if (!generating) return;
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault();
        void stop();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [generating, stop]);

  // Ready to type as soon as a model is chosen, unless the user is already typing elsewhere
  // (the search box right after the page opens, a settings field).
  useEffect(() => {
    if (modelReady && !isTextField(document.activeElement)) textarea.current?.focus();
  }, [modelReady]);

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (isSubmitKey(event)) {
      event.preventDefault();
      if (canSend) void send();
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (canSend) void send();
  }

  return (
    <form className="composer" onSubmit={onSubmit}>
      <textarea
        ref={textarea}
        id={COMPOSER_ID}
        data-testid="composer"
        className="composer-input"
        aria-label={t('composer.label')}
        placeholder={modelReady ? t('composer.placeholder') : t('composer.placeholderNoModel')}
        value={draft}
        rows={1}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="composer-bar">
        <p className="composer-hint muted">{t('composer.hint')}</p>
        {generating ? (
          <button type="button" className="button button-stop" data-testid="stop" onClick={() => void stop()} disabled={stopping}>
            {stopping ? t('composer.stopping') : t('composer.stop')}
          </button>
        ) : (
          <button type="submit" className="button button-primary" data-testid="send" disabled={!canSend}>
            {t('composer.send')}
          </button>
        )}
      </div>
    </form>
  );
}

function isTextField(element: Element | null): boolean {
  return element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement || (element instanceof HTMLElement && element.isContentEditable);
}
