import { useTranslation } from 'react-i18next';
import type { DocumentAttachment } from '#shared/documents.ts';
import { CollectionChoices } from '../documents/CollectionChoices.tsx';
import { useCollections } from '../documents/collections.ts';

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
          <CollectionChoices collections={collections} value={value} onChange={onChange} testIds={{ collection: 'compare-collection', only: 'compare-documents-only' }} onlyNeedsCollection />
        </>
      )}
    </fieldset>
  );
}

/** The `documents` of `compare.start` and `compare.startBatch`: absent without a collection. */
export function runDocuments(value: DocumentAttachment, language: string): { documents?: { collectionIds: string[]; only: boolean; locale: 'en' | 'fr' } } {
  return value.collectionIds.length === 0 ? {} : { documents: { collectionIds: value.collectionIds, only: value.only, locale: language === 'fr' ? 'fr' : 'en' } };
}
