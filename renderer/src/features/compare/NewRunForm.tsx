import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LIMITS_COMPARE } from '#shared/compare.ts';
import type { ErrorCode } from '#shared/errors.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { useActions } from '../../state/react.tsx';
import type { DocumentAttachment } from '#shared/documents.ts';
import { CompareDocumentsPicker, runDocuments } from './CompareDocumentsPicker.tsx';
import { ModelChecklist } from './ModelChecklist.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';

/** One prompt (and an optional system prompt) for 2 to 4 models, side by side or blind. */
export function NewRunForm() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { openRun } = useActions().compare;
  const [documents, setDocuments] = useState<DocumentAttachment>({ collectionIds: [], only: false });
  const [modelIds, setModelIds] = useState<string[]>([]);
  const [prompt, setPrompt] = useState('');
  const [systemPrompt, setSystemPrompt] = useState('');
  const [category, setCategory] = useState('');
  const [blind, setBlind] = useState(false);
  const [error, setError] = useState<ErrorCode | null>(null);
  const ready = modelIds.length >= LIMITS_COMPARE.minModels && prompt.trim() !== '';

  function submit(event: FormEvent): void {
    event.preventDefault();
    if (!ready) return;
    setError(null);
    api
      .call('compare.start', {
        modelIds,
        prompt,
        blind,
        ...runDocuments(documents, i18n.language),
        ...(systemPrompt.trim() !== '' && { systemPrompt }),
        ...(category.trim() !== '' && { category: category.trim() }),
      })
      .then(
        (run) => openRun(run.id),
        (caught: unknown) => setError(toEnclaveError(caught).code),
      );
  }

  return (
    <form className="compare-form" onSubmit={submit} aria-labelledby="compare-new-title">
      <h1 id="compare-new-title">{t('compare.newTitle')}</h1>
      <p className="muted">{t('compare.newIntro')}</p>
      <ModelChecklist selected={modelIds} onChange={setModelIds} max={LIMITS_COMPARE.maxModels} />
      <label className="compare-field">
        <span>{t('compare.systemPrompt')}</span>
        <textarea value={systemPrompt} onChange={(event) => setSystemPrompt(event.target.value)} rows={2} data-testid="compare-system" />
      </label>
      <label className="compare-field">
        <span>{t('compare.prompt')}</span>
        <textarea value={prompt} onChange={(event) => setPrompt(event.target.value)} rows={4} data-testid="compare-prompt" />
      </label>
      <div className="compare-form-row">
        <label className="compare-field compare-field-inline">
          <span>{t('compare.category')}</span>
          <input value={category} onChange={(event) => setCategory(event.target.value)} maxLength={LIMITS_COMPARE.maxCategoryChars} data-testid="compare-category" />
        </label>
        <label className="compare-check">
          <input type="checkbox" checked={blind} onChange={(event) => setBlind(event.target.checked)} data-testid="compare-blind" />
          <span>{t('compare.blind')}</span>
        </label>
      </div>
      <CompareDocumentsPicker value={documents} onChange={setDocuments} />
      <ErrorNote code={error} />
      <button type="submit" className="button button-primary" disabled={!ready} data-testid="compare-start">
        {t('compare.start')}
      </button>
    </form>
  );
}
