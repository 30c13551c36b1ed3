import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PackJob } from '#shared/packs.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { ErrorExplanation } from '../../components/ErrorExplanation.tsx';
import { formatBytes, formatList } from '../../i18n/format.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';

/**
 * Model packs for rooms without internet: export chosen models to a folder (a USB stick) with a
 * manifest, or import such a pack with every file's sha256 checked. Folders are paths on the
 * computer running Enclave.
 */
export function PackPanel() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const {
    refresh,
    error: { showError },
  } = useActions();
  const models = useAppSelector((s) => s.models.list).filter((model) => model.problem === null && model.server === undefined);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [exportFolder, setExportFolder] = useState('');
  const [importFolder, setImportFolder] = useState('');
  const [job, setJob] = useState<PackJob | null>(null);
  /** The export folder the host found missing, offered for creation. */
  const [missingFolder, setMissingFolder] = useState<string | null>(null);

  useEffect(
    () =>
      api.on('packs.progress', (next) => {
        setJob((current) => (current === null || current.id === next.id ? next : current));
        if (next.kind === 'import' && next.state === 'done') void refresh();
      }),
    [api, refresh],
  );

  const running = job?.state === 'running';
  const follow = (call: Promise<PackJob>, onError: (error: unknown) => void): void => {
    call.then((started) => setJob((current) => (current?.id === started.id ? current : started)), onError);
  };
  const startExport = (createFolder: boolean): void => {
    const folder = exportFolder.trim();
    setMissingFolder(null);
    follow(api.call('packs.export', { modelIds: [...chosen], folder, createFolder }), (error: unknown) => {
      const refused = toEnclaveError(error);
      if (refused.code === 'NOT_FOUND' && refused.details?.reason === 'no-folder') setMissingFolder(folder);
      else showError(refused);
    });
  };
  const onExport = (event: FormEvent): void => {
    event.preventDefault();
    startExport(false);
  };
  const onImport = (event: FormEvent): void => {
    event.preventDefault();
    follow(api.call('packs.import', { folder: importFolder.trim() }), showError);
  };
  const toggle = (id: string): void =>
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <details className="pack-panel" data-testid="pack-panel">
      <summary>{t('modelPacks.title')}</summary>
      <p className="muted pack-note">{t('modelPacks.intro')}</p>
      <form className="pack-form" onSubmit={onExport}>
        <fieldset className="pack-models">
          <legend>{t('modelPacks.choose')}</legend>
          {models.map((model) => (
            <label key={model.id} className="pack-model">
              <input type="checkbox" checked={chosen.has(model.id)} onChange={() => toggle(model.id)} data-testid={`pack-choose-${model.id}`} />
              {model.name}
            </label>
          ))}
        </fieldset>
        <input
          className="import-path"
          value={exportFolder}
          onChange={(event) => {
            setExportFolder(event.target.value);
            setMissingFolder(null);
          }}
          placeholder={t('modelPacks.folderPlaceholder')}
          aria-label={t('modelPacks.exportFolder')}
          spellCheck={false}
          data-testid="pack-export-folder"
        />
        <button type="submit" className="button button-quiet" disabled={running || chosen.size === 0 || exportFolder.trim() === ''} data-testid="pack-export">
          {t('modelPacks.export')}
        </button>
      </form>
      {missingFolder !== null && (
        <p className="pack-missing-folder" role="status" data-testid="pack-missing-folder">
          {t('modelPacks.missingFolder', { folder: missingFolder })}{' '}
          <button type="button" className="button button-quiet" disabled={running} onClick={() => startExport(true)} data-testid="pack-create-folder">
            {t('modelPacks.createAndExport')}
          </button>
        </p>
      )}
      <form className="pack-form" onSubmit={onImport}>
        <input
          className="import-path"
          value={importFolder}
          onChange={(event) => setImportFolder(event.target.value)}
          placeholder={t('modelPacks.folderPlaceholder')}
          aria-label={t('modelPacks.importFolder')}
          spellCheck={false}
          data-testid="pack-import-folder"
        />
        <button type="submit" className="button button-quiet" disabled={running || importFolder.trim() === ''} data-testid="pack-import">
          {t('modelPacks.import')}
        </button>
      </form>
      {job !== null && (
        <div className="pack-status" role="status" data-testid="pack-status">
          <progress max={Math.max(1, job.totalBytes)} value={job.doneBytes} aria-label={t('modelPacks.progress')} />
          <p>
            {t(`modelPacks.state.${job.kind}.${job.state}`)} · {t('library.bytesOf', { done: formatBytes(i18n.language, job.doneBytes), total: formatBytes(i18n.language, job.totalBytes) })}
          </p>
          {job.state === 'done' && job.kind === 'import' && (
            <p data-testid="pack-import-result">
              {formatList(i18n.language, [
                t('modelPacks.imported', { count: job.models.length }),
                t('modelPacks.refused', { count: job.refused.length }),
                t('modelPacks.skipped', { count: job.skipped.length }),
              ])}
              .
            </p>
          )}
          {job.refused.map((refusal) => (
            <p key={refusal.fileName} className="model-problem">
              <code>{refusal.fileName}</code>: {refusal.code === 'CHECKSUM_MISMATCH' ? t('modelPacks.mismatch') : t('modelPacks.badHeader')}
            </p>
          ))}
          {job.error !== null && (
            <div className="model-problem" data-code={job.error.code}>
              <ErrorExplanation error={job.error} />
            </div>
          )}
        </div>
      )}
    </details>
  );
}
