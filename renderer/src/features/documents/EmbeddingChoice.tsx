import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { kindOf } from '#shared/models.ts';
import { ErrorExplanation } from '../../components/ErrorExplanation.tsx';
import { formatInteger } from '../../i18n/format.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';

/**
 * The embedding model that gives the passages their vectors (the `documentsEmbeddingModel`
 * setting), among the library's embedding models only, with the embedding job's progress.
 */
export function EmbeddingChoice() {
  const { t, i18n } = useTranslation();
  const models = useAppSelector((s) => s.models.list).filter((model) => model.problem === null && model.server === undefined && kindOf(model) === 'embedding');
  const chosen = useAppSelector((s) => s.settings.view?.values.documentsEmbeddingModel ?? null);
  const status = useAppSelector((s) => s.documents.embedding);
  const {
    error: { showError },
    settings: { load, update },
  } = useActions();
  useEffect(() => {
    load().catch(showError);
  }, [load, showError]);
  if (chosen === null) return null;
  const known = chosen === '' || models.some((model) => model.id === chosen);
  return (
    <div className="documents-embedding" data-testid="embedding-choice">
      <label className="documents-embedding-field">
        <span>{t('documents.embedding.label')}</span>
        <select value={chosen} onChange={(event) => update({ documentsEmbeddingModel: event.target.value }, { showAtOnce: true }).catch(showError)} data-testid="embedding-model">
          <option value="">{t('documents.embedding.none')}</option>
          {models.map((model) => (
            <option key={model.id} value={model.id}>
              {model.name}
            </option>
          ))}
          {!known && <option value={chosen}>{chosen}</option>}
        </select>
      </label>
      {status === null || status.state === 'off' || chosen === '' ? (
        <p className="muted" data-testid="embedding-status" data-state="off">
          {models.length === 0 ? t('documents.embedding.offNoModel') : t('documents.embedding.off')} <a href="#/models">{t('documents.embedding.goToModels')}</a>
        </p>
      ) : status.state === 'error' && status.error !== null ? (
        <div className="documents-error" role="alert" data-testid="embedding-status" data-state="error">
          <ErrorExplanation error={status.error} />
        </div>
      ) : (
        <p className="muted" data-testid="embedding-status" data-state={status.state}>
          {status.state === 'embedding' && <progress max={Math.max(1, status.total)} value={status.done} aria-label={t('documents.embedding.progressLabel')} />}{' '}
          {t(status.state === 'embedding' ? 'documents.embedding.embedding' : 'documents.embedding.ready', {
            done: formatInteger(i18n.language, status.done),
            total: formatInteger(i18n.language, status.total),
            count: status.total,
          })}
        </p>
      )}
    </div>
  );
}
