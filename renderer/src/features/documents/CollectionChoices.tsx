import { useTranslation } from 'react-i18next';
import type { CollectionSummary, DocumentAttachment } from '#shared/documents.ts';
import { withCollection } from './collections.ts';
import './documents.css';

/**
 * The collections to answer from, one checkbox each with its count of files, and "documents only":
 * the chat's attach panel, a comparison's run and a workshop room choose with it.
 */
export function CollectionChoices({
  collections,
  value,
  onChange,
  testIds,
  max,
  onlyNeedsCollection = false,
}: {
  collections: readonly CollectionSummary[];
  value: DocumentAttachment;
  onChange(value: DocumentAttachment): void;
  testIds: { collection: string; only: string };
  /** The most collections that may be chosen. */
  max?: number;
  /** "Documents only" stays off until a collection is chosen. */
  onlyNeedsCollection?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <ul className="collection-choices">
        {collections.map((collection) => {
          const checked = value.collectionIds.includes(collection.id);
          return (
            <li key={collection.id}>
              <label className="collection-choice">
                <input
                  type="checkbox"
                  checked={checked}
                  disabled={!checked && max !== undefined && value.collectionIds.length >= max}
                  onChange={(event) => onChange(withCollection(value, collection.id, event.target.checked))}
                  data-testid={testIds.collection}
                />
                <span>{collection.name}</span>
                <span className="muted">{t('documents.fileCount', { count: collection.ready })}</span>
              </label>
            </li>
          );
        })}
      </ul>
      <label className="collection-choice">
        <input
          type="checkbox"
          checked={value.only}
          disabled={onlyNeedsCollection && value.collectionIds.length === 0}
          onChange={(event) => onChange({ ...value, only: event.target.checked })}
          data-testid={testIds.only}
        />
        <span>{t('documents.attach.only')}</span>
      </label>
    </>
  );
}
