import { useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DOCUMENT_ACCEPT, type DocumentFile } from '#shared/documents.ts';
import { ErrorExplanation } from '../../components/ErrorExplanation.tsx';
import { formatBytes } from '../../i18n/format.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import './documents.css';

/** The Documents page: the selected collection, its files with their progress and errors, adding files, deleting it. */
export function DocumentsPage() {
  const { t } = useTranslation();
  const { documents } = useActions();
  const collections = useAppSelector((s) => s.documents.collections);
  const selectedId = useAppSelector((s) => s.documents.selectedId);
  const selected = collections?.find((collection) => collection.id === selectedId) ?? null;

  useEffect(() => {
    void documents.load();
  }, [documents]);

  return (
    <section className="documents" aria-labelledby="documents-title">
      <header className="documents-header">
        <h1 id="documents-title">{selected === null ? t('documents.title') : selected.name}</h1>
        {selected !== null && <RenameCollection key={selected.id} id={selected.id} name={selected.name} />}
        {/* Keyed: another collection's page never opens on a confirmation. */}
        {selected !== null && <DeleteCollection key={selected.id} id={selected.id} name={selected.name} />}
      </header>
      <p className="muted documents-intro">{t('documents.intro')}</p>
      {collections !== null && collections.length === 0 && <CreateCollection />}
      {selected !== null && (
        <>
          <AddFiles collectionId={selected.id} />
          <FileList />
        </>
      )}
    </section>
  );
}

export function CreateCollection() {
  const { t } = useTranslation();
  const { documents } = useActions();
  const [name, setName] = useState('');
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (name.trim() === '') return;
    void documents.create(name.trim());
    setName('');
  }
  return (
    <form className="documents-create" onSubmit={onSubmit} aria-label={t('documents.create')}>
      <input
        className="text-field"
        value={name}
        onChange={(event) => setName(event.target.value)}
        placeholder={t('documents.namePlaceholder')}
        maxLength={120}
        aria-label={t('documents.name')}
        data-testid="collection-name"
      />
      <button type="submit" className="button button-primary" disabled={name.trim() === ''} data-testid="collection-create">
        {t('documents.create')}
      </button>
    </form>
  );
}

function RenameCollection({ id, name }: { id: string; name: string }) {
  const { t } = useTranslation();
  const { documents } = useActions();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  if (!editing) {
    return (
      <button type="button" className="button button-quiet" onClick={() => setEditing(true)} data-testid="collection-rename">
        {t('documents.rename')}
      </button>
    );
  }
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (value.trim() !== '') void documents.rename(id, value.trim());
    setEditing(false);
  }
  return (
    <form className="documents-create documents-rename" onSubmit={onSubmit} aria-label={t('documents.rename')}>
      <input className="text-field" value={value} onChange={(event) => setValue(event.target.value)} maxLength={120} aria-label={t('documents.name')} data-testid="collection-rename-input" autoFocus />
      <button type="submit" className="button button-primary" disabled={value.trim() === ''}>
        {t('documents.save')}
      </button>
    </form>
  );
}

function DeleteCollection({ id, name }: { id: string; name: string }) {
  const { t } = useTranslation();
  const { documents } = useActions();
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="button button-quiet" onClick={() => setConfirming(true)} data-testid="collection-delete">
        {t('documents.delete')}
      </button>
    );
  }
  return (
    <div className="documents-confirm" role="alertdialog" aria-label={t('documents.deleteConfirm', { name })}>
      <span>{t('documents.deleteConfirm', { name })}</span>
      <button type="button" className="button button-danger" onClick={() => void documents.remove(id)} data-testid="collection-delete-confirm">
        {t('documents.deleteYes')}
      </button>
      <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
        {t('documents.cancel')}
      </button>
    </div>
  );
}

function AddFiles({ collectionId }: { collectionId: string }) {
  const { t } = useTranslation();
  const { documents } = useActions();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const reading = useAppSelector((s) => s.documents.jobs.some((job) => job.collectionId === collectionId));
  const add = (files: FileList | null) => {
    if (files !== null && files.length > 0) void documents.addFiles(collectionId, Array.from(files));
  };
  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setOver(false);
    add(event.dataTransfer.files);
  }
  return (
    <div
      className={over ? 'documents-drop documents-drop-over' : 'documents-drop'}
      data-testid="documents-drop"
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p>{t('documents.dropHint')}</p>
      <p className="muted">{t('documents.formats')}</p>
      <div className="documents-drop-bar">
        <button type="button" className="button button-primary" onClick={() => input.current?.click()}>
          {t('documents.chooseFiles')}
        </button>
        {reading && (
          <button type="button" className="button button-quiet" onClick={() => void documents.cancelReading(collectionId)} data-testid="documents-cancel">
            {t('documents.stopReading')}
          </button>
        )}
      </div>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={DOCUMENT_ACCEPT}
        data-testid="documents-file-input"
        onChange={(event) => {
          add(event.target.files);
          event.target.value = '';
        }}
      />
    </div>
  );
}

function FileList() {
  const { t, i18n } = useTranslation();
  const files = useAppSelector((s) => s.documents.files);
  const sending = useAppSelector((s) => s.documents.sending);
  if (files === null) return null;
  if (files.length === 0 && sending.length === 0) return <p className="muted">{t('documents.noFiles')}</p>;
  return (
    <table className="documents-files" data-testid="documents-files">
      <thead>
        <tr>
          <th>{t('documents.file')}</th>
          <th>{t('documents.status')}</th>
          <th>{t('documents.size')}</th>
          <th>
            <span className="visually-hidden">{t('documents.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {sending.map((file) => (
          <tr key={file.key} data-state="sending">
            <td className="documents-file-name">{file.name}</td>
            <td>{t('documents.sending', { percent: file.size === 0 ? 100 : Math.round((file.sentBytes / file.size) * 100) })}</td>
            <td>{formatBytes(i18n.language, file.size)}</td>
            <td />
          </tr>
        ))}
        {files.map((file) => (
          <FileRow key={file.id} file={file} />
        ))}
      </tbody>
    </table>
  );
}

function FileRow({ file }: { file: DocumentFile }) {
  const { t, i18n } = useTranslation();
  const { documents } = useActions();
  return (
    <tr data-testid="document-row" data-state={file.state} data-name={file.name}>
      <td className="documents-file-name">{file.name}</td>
      <td className={file.state === 'error' ? 'documents-status documents-status-error' : 'documents-status'}>
        <FileStatus file={file} />
        {file.error !== null && (
          <div className="documents-error" role="alert">
            <ErrorExplanation error={file.error} />
          </div>
        )}
      </td>
      <td>{formatBytes(i18n.language, file.size)}</td>
      <td>
        <button type="button" className="button button-quiet" onClick={() => void documents.removeFile(file.id)} aria-label={t('documents.removeFile', { name: file.name })}>
          {t('documents.remove')}
        </button>
      </td>
    </tr>
  );
}

function FileStatus({ file }: { file: DocumentFile }) {
  const { t } = useTranslation();
  switch (file.state) {
    case 'queued':
      return <span>{t('documents.state.queued')}</span>;
    case 'ingesting':
      return <span>{file.pages === null ? t('documents.state.ingesting') : t('documents.state.ingestingPages', { count: file.pages })}</span>;
    case 'ready':
      return (
        <span>
          {file.pages === null
            ? t('documents.state.ready', { count: file.chunks })
            : file.pages === 1
              ? t('documents.state.readyOnePage', { count: file.chunks })
              : t('documents.state.readyPages', { count: file.chunks, pages: file.pages })}
        </span>
      );
    case 'error':
      return null;
    case 'cancelled':
      return <span>{t('documents.state.cancelled')}</span>;
    case 'interrupted':
      return <span>{t('documents.state.interrupted')}</span>;
    default: {
      const unreachable: never = file.state;
      return <span>{String(unreachable)}</span>;
    }
  }
}
