import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { CollectionChoices } from './CollectionChoices.tsx';
import { useCollections } from './collections.ts';
import './documents.css';

/** Beside the model menu: which collections the conversation answers from, and "documents only". */
export function AttachDocuments() {
  const { t, i18n } = useTranslation();
  const { documents } = useActions();
  const [open, setOpen] = useState(false);
  const collections = useCollections();
  const attachment = useAppSelector((s) => s.documents.attachment);
  const embeddingModel = useAppSelector((s) => {
    const status = s.documents.embedding;
    if (status === null || status.modelId === null || status.state === 'error') return null;
    return s.models.list.find((model) => model.id === status.modelId)?.name ?? status.modelId;
  });
  const language = i18n.language === 'fr' ? 'fr' : 'en';
  useEffect(() => documents.setLocale(language), [documents, language]);
  const count = attachment.collectionIds.length;
  return (
    <div className="attach-documents">
      <button type="button" className={count > 0 ? 'button button-quiet attach-on' : 'button button-quiet'} aria-expanded={open} onClick={() => setOpen(!open)} data-testid="attach-documents">
        {count === 0 ? t('documents.attach.button') : t('documents.attach.buttonCount', { count })}
      </button>
      {open && (
        <div className="attach-panel" data-testid="attach-panel" role="group" aria-label={t('documents.attach.title')}>
          <p className="attach-title">{t('documents.attach.title')}</p>
          {collections === null || collections.length === 0 ? (
            <p className="muted">
              {t('documents.attach.none')} <a href="#/documents">{t('documents.attach.goTo')}</a>
            </p>
          ) : null}
          <CollectionChoices collections={collections ?? []} value={attachment} onChange={documents.setAttachment} testIds={{ collection: 'attach-collection', only: 'attach-only' }} />
          <p className="muted attach-note" data-testid="attach-retrieval-note">
            {embeddingModel === null ? t('documents.attach.fullTextNote') : t('documents.attach.fusionNote', { model: embeddingModel })}
          </p>
          <button type="button" className="button button-primary" onClick={() => setOpen(false)}>
            {t('documents.attach.done')}
          </button>
        </div>
      )}
    </div>
  );
}
