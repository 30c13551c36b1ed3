/** The document collections as every picker of them reads them, and the choice of one. */
import { useEffect } from 'react';
import type { CollectionSummary, DocumentAttachment } from '#shared/documents.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';

/** The collections, read from the host when first needed (null until then). */
export function useCollections(): CollectionSummary[] | null {
  const { documents } = useActions();
  const collections = useAppSelector((s) => s.documents.collections);
  useEffect(() => {
    void documents.load();
  }, [documents]);
  return collections;
}

/** `attachment` with the collection `id` chosen (`on`) or not. */
export function withCollection(attachment: DocumentAttachment, id: string, on: boolean): DocumentAttachment {
  const others = attachment.collectionIds.filter((other) => other !== id);
  return { ...attachment, collectionIds: on ? [...others, id] : others };
}
