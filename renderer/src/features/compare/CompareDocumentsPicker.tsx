import { useTranslation } from 'react-i18next';
import type { DocumentAttachment } from '#shared/documents.ts';
import { useCollections, withCollection } from '../documents/collections.ts';

/** The collections a run answers from (each prompt's passages retrieved once, given to every model), and "documents only". */
export function CompareDocumentsPicker({ value, onChange }: { value: DocumentAttachment; onChange(value: DocumentAttachment): void }) {
  const { t } = useTranslation();
  const collections = useCollections();
  return (
    <fieldset className="compare-documents" data-testid="compare-documents">
      <legend>{t('compare.documents.title')}</legend>
      {collections === null || collections.length === 0 ? (
        <p className="muted">
          {t('documents.attach.none')} <a href="#/documents">{t('documents.attach.goTo')}</a>
        </p>
      ) : (
        <>
          <p className="muted">{t('compare.documents.intro')}</p>
          <ul className="compare-documents-list">
            {collections.map((collection) => (
              <li key={collection.id}>
                <label>
                  <input
                    type="checkbox"
                    checked={value.collectionIds.includes(collection.id)}
                    onChange={(event) => onChange(withCollection(value, collection.id, event.target.checked))}
                    data-testid="compare-collection"
                  />
                  <span>{collection.name}</span> <span className="muted">{t('documents.fileCount', { count: collection.ready })}</span>
                </label>
              </li>
            ))}
          </ul>
          <label className="compare-check">
            <input
              type="checkbox"
              checked={value.only}
              disabled={value.collectionIds.length === 0}
              onChange={(event) => onChange({ ...value, only: event.target.checked })}
              data-testid="compare-documents-only"
            />
            <span>{t('documents.attach.only')}</span>
          </label>
        </>
      )}
    </fieldset>
  );
}

/** The `documents` of `compare.start` and `compare.startBatch`: absent without a collection. */
export function runDocuments(value: DocumentAttachment, language: string): { documents?: { collectionIds: string[]; only: boolean; locale: 'en' | 'fr' } } {
  return value.collectionIds.length === 0 ? {} : { documents: { collectionIds: value.collectionIds, only: value.only, locale: language === 'fr' ? 'fr' : 'en' } };
}
