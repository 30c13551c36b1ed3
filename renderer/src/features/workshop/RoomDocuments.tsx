import { useTranslation } from 'react-i18next';
import type { DocumentAttachment } from '#shared/documents.ts';
import { MAX_ROOM_COLLECTIONS } from '#shared/workshop.ts';
import { CollectionChoices } from '../documents/CollectionChoices.tsx';
import { useCollections } from '../documents/collections.ts';

/** The collections the trainer shares with the room, read-only: participants' questions are answered from them. */
export function RoomDocuments({ value, onChange }: { value: DocumentAttachment; onChange(value: DocumentAttachment): void }) {
  const { t } = useTranslation();
  const collections = useCollections();
  if (collections === null || collections.length === 0) return null;
  return (
    <fieldset className="workshop-models" data-testid="workshop-documents">
      <legend>{t('workshop.documents.legend')}</legend>
      <p className="muted workshop-documents-note">{t('workshop.documents.note')}</p>
      <CollectionChoices
        collections={collections}
        value={value}
        onChange={onChange}
        testIds={{ collection: 'workshop-collection', only: 'workshop-documents-only' }}
        max={MAX_ROOM_COLLECTIONS}
        onlyNeedsCollection
      />
    </fieldset>
  );
}
