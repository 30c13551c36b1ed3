import { memo, useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DOCUMENT_ACCEPT, type CollectionSummary, type DocumentFile } from '#shared/documents.ts';
import { ErrorExplanation } from '../../components/ErrorExplanation.tsx';
import { formatBytes, formatDuration } from '../../i18n/format.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';
import { useCollections } from './collections.ts';
import { EmbeddingChoice } from './EmbeddingChoice.tsx';
import { entriesOfDrop, entriesOfInput } from './folder-entries.ts';
import { timeLeftMs, type PaceSample } from './pace.ts';
import './documents.css';

/** Rows of files being sent that are shown one by one; the rest are counted. */
const SENDING_ROWS = 3;

/** The Documents page: the selected collection, its files with their progress and errors, adding files, deleting it. */
export function DocumentsPage() {
  const { t } = useTranslation();
  const collections = useCollections();
  const selectedId = useAppSelector((s) => s.documents.selectedId);
  const selected = collections?.find((collection) => collection.id === selectedId) ?? null;

  return (
    <section className="documents" aria-labelledby="documents-title">
      <header className="documents-header">
        <h1 id="documents-title">{selected === null ? t('documents.title') : selected.name}</h1>
        {selected !== null && <RenameCollection key={`rename-${selected.id}`} id={selected.id} name={selected.name} />}
        {selected?.onDisk === true && <RefreshCollection id={selected.id} />}
        {/* Keyed: another collection's page never opens on a confirmation. */}
        {selected !== null && <DeleteCollection key={`delete-${selected.id}`} id={selected.id} name={selected.name} />}
      </header>
      <p className="muted documents-intro">{t('documents.intro')}</p>
      <EmbeddingChoice />
      {collections !== null && collections.length === 0 && <CreateCollection />}
      {selected !== null && (
        <>
          <AddFiles collectionId={selected.id} />
          <Notice collectionId={selected.id} />
          <ReadingProgress collection={selected} />
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

function RefreshCollection({ id }: { id: string }) {
  const { t } = useTranslation();
  const { documents } = useActions();
  return (
    <button type="button" className="button button-quiet" onClick={() => void documents.refresh(id)} title={t('documents.refreshHint')} data-testid="collection-refresh">
      {t('documents.refresh')}
    </button>
  );
}

function AddFiles({ collectionId }: { collectionId: string }) {
  const { t } = useTranslation();
  const { documents } = useActions();
  const input = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  useEffect(() => {
    // Not a React attribute: set on the element.
    folderInput.current?.setAttribute('webkitdirectory', '');
  }, []);
  const add = (files: FileList | null) => {
    if (files !== null && files.length > 0) void documents.addFiles(collectionId, entriesOfInput(files));
  };
  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setOver(false);
    void entriesOfDrop(event.dataTransfer).then((entries) => (entries.length > 0 ? documents.addFiles(collectionId, entries) : undefined));
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
        <button type="button" className="button" onClick={() => folderInput.current?.click()}>
          {t('documents.chooseFolder')}
        </button>
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
      <input
        ref={folderInput}
        type="file"
        hidden
        data-testid="documents-folder-input"
        onChange={(event) => {
          add(event.target.files);
          event.target.value = '';
        }}
      />
    </div>
  );
}

function Notice({ collectionId }: { collectionId: string }) {
  const { t } = useTranslation();
  const notice = useAppSelector((s) => s.documents.notice);
  if (notice?.collectionId !== collectionId) return null;
  return (
    <p className="documents-notice muted" role="status" data-testid="documents-notice">
      {notice.kind === 'skipped' ? t('documents.skipped', { count: notice.count }) : t('documents.refreshed', { changed: notice.changed, removed: notice.removed, added: notice.added })}
    </p>
  );
}

/** Time left from the pace seen since this key's first value; null until there is a pace. */
function useTimeLeft(key: string, done: number, total: number): number | null {
  const first = useRef<{ key: string; sample: PaceSample } | null>(null);
  const [left, setLeft] = useState<number | null>(null);
  useEffect(() => {
    const now = { at: Date.now(), done };
    if (first.current?.key !== key) first.current = { key, sample: now };
    setLeft(timeLeftMs(first.current.sample, now, total));
  }, [key, done, total]);
  return left;
}

/** The collection's reading: files read of all, time left, pause or resume, stop. */
function ReadingProgress({ collection }: { collection: CollectionSummary }) {
  const { t, i18n } = useTranslation();
  const { documents } = useActions();
  const stoppable = useAppSelector((s) => s.documents.jobs.some((job) => job.collectionId === collection.id));
  const reading = collection.pending > 0;
  const done = collection.files - collection.pending - collection.paused;
  const left = useTimeLeft(`${collection.id}:${reading ? 'reading' : 'idle'}`, done, collection.files);
  if (!reading && collection.paused === 0) return null;
  return (
    <div className="documents-reading" role="status" data-testid="documents-reading">
      <progress max={collection.files} value={done} aria-hidden="true" />
      <span>
        {reading ? t('documents.reading', { done, count: collection.files }) : t('documents.pausedReading', { done, count: collection.files })}
        {reading && left !== null && ` · ${t('documents.timeLeft', { time: formatDuration(i18n.language, Math.max(1_000, left)) })}`}
      </span>
      {reading ? (
        <button type="button" className="button button-quiet" onClick={() => void documents.pause(collection.id)} data-testid="documents-pause">
          {t('documents.pause')}
        </button>
      ) : (
        <button type="button" className="button button-quiet" onClick={() => void documents.resume(collection.id)} data-testid="documents-resume">
          {t('documents.resume')}
        </button>
      )}
      {stoppable && (
        <button type="button" className="button button-quiet" onClick={() => void documents.cancelReading(collection.id)} data-testid="documents-cancel">
          {t('documents.stopReading')}
        </button>
      )}
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
        {sending.slice(0, SENDING_ROWS).map((file) => (
          <tr key={file.key} data-state="sending">
            <td className="documents-file-name">{file.name}</td>
            <td>{t('documents.sending', { percent: file.size === 0 ? 100 : Math.round((file.sentBytes / file.size) * 100) })}</td>
            <td>{formatBytes(i18n.language, file.size)}</td>
            <td />
          </tr>
        ))}
        {sending.length > SENDING_ROWS && (
          <tr data-state="sending-more">
            <td colSpan={4} className="muted">
              {t('documents.sendingMore', { count: sending.length - SENDING_ROWS })}
            </td>
          </tr>
        )}
        {files.map((file) => (
          <FileRow key={file.id} file={file} />
        ))}
      </tbody>
    </table>
  );
}

/** Memoized: a progress event changes one row of a collection that may hold thousands. */
const FileRow = memo(function FileRow({ file }: { file: DocumentFile }) {
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
});

function FileStatus({ file }: { file: DocumentFile }) {
  const { t } = useTranslation();
  switch (file.state) {
    case 'queued':
      return <span>{t('documents.state.queued')}</span>;
    case 'ingesting':
      if (file.pageCount !== null) return <PagesProgress file={file} pageCount={file.pageCount} />;
      return <span>{file.pages === null ? t('documents.state.ingesting') : t('documents.state.ingestingPages', { count: file.pages })}</span>;
    case 'paused':
      return <span>{file.pageCount === null ? t('documents.state.paused') : t('documents.state.pausedPages', { count: file.pages ?? 0, total: file.pageCount })}</span>;
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

/** A PDF being read: the page, of how many, and the time left at the pace of this window's reading. */
function PagesProgress({ file, pageCount }: { file: DocumentFile; pageCount: number }) {
  const { t, i18n } = useTranslation();
  const left = useTimeLeft(file.id, file.pages ?? 0, pageCount);
  return (
    <span>
      {t('documents.state.ingestingOf', { count: file.pages ?? 0, total: pageCount })}
      {left !== null && ` · ${t('documents.timeLeft', { time: formatDuration(i18n.language, Math.max(1_000, left)) })}`}
    </span>
  );
}
