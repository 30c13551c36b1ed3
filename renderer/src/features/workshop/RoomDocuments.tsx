import { useTranslation } from 'react-i18next';
import type { DocumentAttachment } from '#shared/documents.ts';
import { MAX_ROOM_COLLECTIONS } from '#shared/workshop.ts';
import { useCollections, withCollection } from '../documents/collections.ts';

/** The collections the trainer shares with the room, read-only: participants' questions are answered from them. */
export function RoomDocuments({ value, onChange }: { value: DocumentAttachment; onChange(value: DocumentAttachment): void }) {
  const { t } = useTranslation();
  const collections = useCollections();
  if (collections === null || collections.length === 0) return null;
  return (
    <fieldset className="workshop-models" data-testid="workshop-documents">
      <legend>{t('workshop.documents.legend')}</legend>
      <p className="muted workshop-documents-note">{t('workshop.documents.note')}</p>
      {collections.map((collection) => {
        const checked = value.collectionIds.includes(collection.id);
        return (
          <label key={collection.id} className="workshop-model">
            <input
              type="checkbox"
              checked={checked}
              disabled={!checked && value.collectionIds.length >= MAX_ROOM_COLLECTIONS}
              onChange={(event) => onChange(withCollection(value, collection.id, event.target.checked))}
              data-testid="workshop-collection"
            />
            <span>{collection.name}</span>
            <span className="muted">{t('documents.fileCount', { count: collection.ready })}</span>
          </label>
        );
      })}
      <label className="workshop-model">
        <input
          type="checkbox"
          checked={value.only}
          disabled={value.collectionIds.length === 0}
          onChange={(event) => onChange({ ...value, only: event.target.checked })}
          data-testid="workshop-documents-only"
        />
        <span>{t('documents.attach.only')}</span>
      </label>
    </fieldset>
  );
}
