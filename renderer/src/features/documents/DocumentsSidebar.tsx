import { useTranslation } from 'react-i18next';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { useCollections } from './collections.ts';
import { CreateCollection } from './DocumentsPage.tsx';

/** The Documents page's sidebar: the collections, with their file counts, and a new one. */
export function DocumentsSidebar() {
  const { t } = useTranslation();
  const { documents } = useActions();
  const collections = useCollections();
  const selectedId = useAppSelector((s) => s.documents.selectedId);
  return (
    <section className="documents-sidebar" aria-labelledby="documents-collections">
      <h2 id="documents-collections">{t('documents.collections')}</h2>
      <ul className="documents-collection-list">
        {(collections ?? []).map((collection) => (
          <li key={collection.id}>
            <button
              type="button"
              className="documents-collection"
              aria-current={collection.id === selectedId ? 'true' : undefined}
              onClick={() => void documents.select(collection.id)}
              data-testid="collection-item"
            >
              <span className="documents-collection-name">{collection.name}</span>
              <span className="muted">
                {t('documents.fileCount', { count: collection.files })}
                {collection.pending > 0 && ` · ${t('documents.pendingCount', { count: collection.pending })}`}
                {collection.paused > 0 && ` · ${t('documents.pausedCount', { count: collection.paused })}`}
                {collection.failed > 0 && ` · ${t('documents.failedCount', { count: collection.failed })}`}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <CreateCollection />
    </section>
  );
}
