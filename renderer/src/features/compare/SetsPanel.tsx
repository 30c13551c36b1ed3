import { useCallback, useEffect, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LIMITS_COMPARE, promptSetSchema, type PromptSet, type PromptSetContent } from '#shared/compare.ts';
import type { ErrorCode } from '#shared/errors.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { useActions } from '../../state/react.tsx';
import { saveFile } from '../chat/transfer.ts';
import { useCategoryName } from './category-name.ts';
import type { DocumentAttachment } from '#shared/documents.ts';
import { CompareDocumentsPicker, runDocuments } from './CompareDocumentsPicker.tsx';
import { ModelChecklist } from './ModelChecklist.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';

const LANGUAGES = promptSetSchema.shape.language.options;

/** A set being edited: a new one, a copy of a shipped one (both saved with id null) or one of the user's. */
interface Editing {
  id: string | null;
  /** A new set: edited on its own, not beside the selected set. */
  fresh: boolean;
  content: PromptSetContent;
}

/** Prompt sets: run one as a batch across models (blind or not), create, import, export, copy and edit. */
export function SetsPanel() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const categoryName = useCategoryName();
  const { openRun } = useActions().compare;
  const [sets, setSets] = useState<PromptSet[]>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [modelIds, setModelIds] = useState<string[]>([]);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [blind, setBlind] = useState(false);
  const [documents, setDocuments] = useState<DocumentAttachment>({ collectionIds: [], only: false });
  const [error, setError] = useState<ErrorCode | null>(null);
  const fail = (caught: unknown): void => setError(toEnclaveError(caught).code);
  const selected = sets.find((set) => set.id === selectedId) ?? sets[0] ?? null;

  const reload = useCallback(() => {
    api.call('compare.sets', {}).then(setSets, fail);
  }, [api]);
  useEffect(reload, [reload]);

  function importFile(event: ChangeEvent<HTMLInputElement>): void {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file === undefined) return;
    setError(null);
    const format = file.name.toLowerCase().endsWith('.csv') ? 'csv' : 'json';
    void file.text().then((content) =>
      api.call('compare.importSet', { content, format, name: file.name.replace(/\.(csv|json)$/i, '') }).then((set) => {
        reload();
        setSelectedId(set.id);
      }, fail),
    );
  }

  function save(): void {
    if (editing === null) return;
    setError(null);
    api.call('compare.saveSet', { id: editing.id, set: withoutEmptyNotes(editing.content) }).then((set) => {
      setEditing(null);
      reload();
      setSelectedId(set.id);
    }, fail);
  }

  return (
    <section className="compare-sets" aria-labelledby="compare-sets-title">
      <header className="compare-run-header">
        <h1 id="compare-sets-title">{t('compare.setsTitle')}</h1>
        <div className="compare-run-actions">
          <button
            type="button"
            className="button button-quiet"
            onClick={() =>
              setEditing({ id: null, fresh: true, content: { name: t('compare.newSetName'), language: i18n.language === 'fr' ? 'fr' : 'en', prompts: [{ category: 'general', prompt: '' }] } })
            }
            data-testid="new-set"
          >
            {t('compare.newSet')}
          </button>
          <label className="button button-quiet compare-file">
            {t('compare.importSet')}
            <input type="file" accept=".json,.csv,application/json,text/csv" onChange={importFile} data-testid="import-set" />
          </label>
        </div>
      </header>
      <ErrorNote code={error} />
      <div className="compare-set-list" role="list">
        {sets.map((set) => (
          <button
            key={set.id}
            type="button"
            role="listitem"
            className={`compare-set${set.id === selected?.id ? ' compare-set-selected' : ''}`}
            onClick={() => (setSelectedId(set.id), setEditing(null))}
          >
            <strong>{set.name}</strong>
            <span className="muted">{t('compare.setFacts', { count: set.prompts.length, language: t(`compare.language.${set.language}`) })}</span>
          </button>
        ))}
      </div>
      {editing?.fresh === true ? (
        <SetEditor value={editing.content} onChange={(content) => setEditing({ ...editing, content })} onSave={save} onCancel={() => setEditing(null)} />
      ) : (
        selected !== null && (
          <div className="compare-set-detail">
            <div className="compare-run-actions">
              <button type="button" className="button button-quiet" onClick={() => api.call('compare.exportSet', { id: selected.id, format: 'json' }).then(saveFile, fail)}>
                {t('compare.exportJson')}
              </button>
              <button type="button" className="button button-quiet" onClick={() => api.call('compare.exportSet', { id: selected.id, format: 'csv' }).then(saveFile, fail)}>
                {t('compare.exportCsv')}
              </button>
              <button
                type="button"
                className="button button-quiet"
                onClick={() =>
                  setEditing({
                    id: selected.builtin ? null : selected.id,
                    fresh: false,
                    content: { name: selected.builtin ? t('compare.copyName', { name: selected.name }) : selected.name, language: selected.language, prompts: selected.prompts },
                  })
                }
                data-testid="edit-set"
              >
                {selected.builtin ? t('compare.copyToEdit') : t('compare.edit')}
              </button>
              {!selected.builtin && (
                <button type="button" className="button button-quiet" onClick={() => api.call('compare.deleteSet', { id: selected.id }).then(reload, fail)}>
                  {t('compare.deleteSet')}
                </button>
              )}
            </div>
            {editing === null && (
              <div className="compare-set-run" data-testid="set-run">
                <ModelChecklist selected={modelIds} onChange={setModelIds} max={LIMITS_COMPARE.maxModels} />
                <label className="compare-check">
                  <input type="checkbox" checked={blind} onChange={(event) => setBlind(event.target.checked)} data-testid="batch-blind" />
                  <span>{t('compare.blindBatch')}</span>
                </label>
                <CompareDocumentsPicker value={documents} onChange={setDocuments} />
                <button
                  type="button"
                  className="button button-primary"
                  disabled={modelIds.length < LIMITS_COMPARE.minModels}
                  onClick={() => api.call('compare.startBatch', { setId: selected.id, modelIds, blind, ...runDocuments(documents, i18n.language) }).then((run) => openRun(run.id), fail)}
                  data-testid="start-batch"
                >
                  {t('compare.runSet', { count: selected.prompts.length * modelIds.length })}
                </button>
              </div>
            )}
            {editing !== null ? (
              <SetEditor value={editing.content} onChange={(content) => setEditing({ ...editing, content })} onSave={save} onCancel={() => setEditing(null)} />
            ) : (
              <ol className="compare-set-prompts">
                {selected.prompts.map((prompt, index) => (
                  <li key={index}>
                    <span className="compare-category">{categoryName(prompt.category)}</span> {prompt.prompt}
                    {prompt.gradingNotes !== undefined && <p className="muted compare-notes">{t('compare.gradingNotes', { text: prompt.gradingNotes })}</p>}
                  </li>
                ))}
              </ol>
            )}
          </div>
        )
      )}
    </section>
  );
}

function withoutEmptyNotes(set: PromptSetContent): PromptSetContent {
  return { ...set, prompts: set.prompts.map(({ gradingNotes, ...prompt }) => (gradingNotes === undefined || gradingNotes.trim() === '' ? prompt : { ...prompt, gradingNotes })) };
}

function SetEditor({ value, onChange, onSave, onCancel }: { value: PromptSetContent; onChange(next: PromptSetContent): void; onSave(): void; onCancel(): void }) {
  const { t } = useTranslation();
  const setPrompt = (index: number, patch: Partial<PromptSetContent['prompts'][number]>): void =>
    onChange({ ...value, prompts: value.prompts.map((prompt, at) => (at === index ? { ...prompt, ...patch } : prompt)) });
  const complete = value.name.trim() !== '' && value.prompts.length > 0 && value.prompts.every((prompt) => prompt.prompt.trim() !== '' && prompt.category.trim() !== '');
  return (
    <div className="compare-set-editor" data-testid="set-editor">
      <div className="compare-form-row">
        <label className="compare-field">
          <span>{t('compare.setName')}</span>
          <input value={value.name} onChange={(event) => onChange({ ...value, name: event.target.value })} maxLength={LIMITS_COMPARE.maxSetNameChars} data-testid="set-name" />
        </label>
        <label className="compare-field compare-field-inline">
          <span>{t('compare.setLanguage')}</span>
          <select
            value={value.language}
            onChange={(event) => onChange({ ...value, language: LANGUAGES.find((language) => language === event.target.value) ?? value.language })}
            data-testid="set-language"
          >
            {LANGUAGES.map((language) => (
              <option key={language} value={language}>
                {t(`compare.language.${language}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {value.prompts.map((prompt, index) => (
        <fieldset key={index} className="compare-set-editor-row" data-testid="set-prompt">
          <legend>{t('compare.promptNumber', { number: index + 1 })}</legend>
          <label className="compare-field compare-field-inline">
            <span>{t('compare.category')}</span>
            <input value={prompt.category} onChange={(event) => setPrompt(index, { category: event.target.value })} maxLength={LIMITS_COMPARE.maxCategoryChars} data-testid="set-prompt-category" />
          </label>
          <label className="compare-field">
            <span>{t('compare.prompt')}</span>
            <textarea value={prompt.prompt} onChange={(event) => setPrompt(index, { prompt: event.target.value })} rows={3} data-testid="set-prompt-text" />
          </label>
          <label className="compare-field">
            <span>{t('compare.gradingNotesField')}</span>
            <textarea
              value={prompt.gradingNotes ?? ''}
              onChange={(event) => setPrompt(index, { gradingNotes: event.target.value })}
              rows={2}
              maxLength={LIMITS_COMPARE.maxNotesChars}
              data-testid="set-prompt-notes"
            />
          </label>
          <button type="button" className="button button-quiet" onClick={() => onChange({ ...value, prompts: value.prompts.filter((_, at) => at !== index) })}>
            {t('compare.removePrompt')}
          </button>
        </fieldset>
      ))}
      <div className="compare-run-actions">
        <button
          type="button"
          className="button button-quiet"
          onClick={() => onChange({ ...value, prompts: [...value.prompts, { category: value.prompts.at(-1)?.category ?? 'general', prompt: '' }] })}
          data-testid="add-prompt"
        >
          {t('compare.addPrompt')}
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel}>
          {t('compare.cancel')}
        </button>
        <button type="button" className="button button-primary" onClick={onSave} disabled={!complete} data-testid="save-set">
          {t('compare.saveSet')}
        </button>
      </div>
    </div>
  );
}
