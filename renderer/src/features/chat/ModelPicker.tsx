import { memo, useEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { kindOf, type ModelInfo } from '#shared/models.ts';
import { formatBytes, formatCompact, formatInteger } from '../../i18n/format.ts';
import { modelDisplayName, selectSelectedModel } from '../../state/slices/models.ts';
import { useActions, useAppSelector } from '../../state/react.tsx';

/**
 * Which model answers, at the top of the chat where LM Studio, Jan and Open WebUI put it: a button
 * naming the model, opening the list of models. In an open conversation the choice is saved with it.
 */
export function ModelPicker() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const model = useAppSelector(selectSelectedModel);
  const menu = useRef<HTMLDivElement>(null);
  useDismiss(open, menu, () => setOpen(false));
  return (
    <div className="model-menu" ref={menu}>
      <button type="button" className="model-menu-button" data-testid="model-menu" aria-haspopup="true" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className="model-menu-label">{t('models.answering')}</span>
        <span className="model-menu-name" data-testid="model-menu-name">
          {model === null ? t('models.choose') : modelDisplayName(model)}
        </span>
        <span aria-hidden="true">▾</span>
      </button>
      {open && <ModelList onChosen={() => setOpen(false)} />}
    </div>
  );
}

/** Closes a popover on Escape or a click outside it. */
function useDismiss(open: boolean, area: RefObject<HTMLElement | null>, close: () => void): void {
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close();
    };
    const onPointer = (event: PointerEvent) => {
      if (event.target instanceof Node && area.current?.contains(event.target) !== true) close();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('pointerdown', onPointer);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointerdown', onPointer);
    };
  }, [open, area, close]);
}

function ModelList({ onChosen }: { onChosen: () => void }) {
  const { t } = useTranslation();
  // Embedding and reranking models never answer.
  const models = useAppSelector((s) => s.models.list).filter((model) => kindOf(model) === 'chat');
  const loaded = useAppSelector((s) => s.models.loaded);
  const rescanning = useAppSelector((s) => s.models.rescanning);
  const selectedId = useAppSelector((s) => selectSelectedModel(s)?.id ?? null);
  const conversation = useAppSelector((s) => s.chat.conversation);
  // A workshop participant sees the trainer's models but cannot rescan the trainer's folder.
  const participant = useAppSelector((s) => s.host.info?.participant !== undefined);
  const {
    models: { rescan, selectModel },
    chat: { updateSettings },
  } = useActions();
  const choose = (modelId: string): void => {
    selectModel(modelId);
    if (conversation !== null && conversation.settings.modelId !== modelId) void updateSettings({ ...conversation.settings, modelId });
    onChosen();
  };

  return (
    <section className="models model-menu-panel" aria-labelledby="models-title" data-testid="model-menu-panel">
      <header className="models-header">
        <h2 id="models-title">{t('models.title')}</h2>
        {!participant && (
          <button type="button" className="button button-quiet" data-testid="rescan" onClick={() => void rescan()} disabled={rescanning} aria-busy={rescanning}>
            {rescanning ? t('models.rescanning') : t('models.rescan')}
          </button>
        )}
      </header>
      {!loaded ? (
        <p className="muted models-note">{t('models.loading')}</p>
      ) : models.length === 0 ? (
        <NoModels />
      ) : (
        <ul className="model-list" aria-label={t('models.listLabel')}>
          {models.map((model) => (
            <li key={model.id}>
              <ModelOption model={model} selected={model.id === selectedId} onSelect={choose} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NoModels() {
  const { t } = useTranslation();
  const modelsDir = useAppSelector((s) => s.host.info?.modelsDir ?? null);
  return (
    <div className="empty empty-small">
      <p className="empty-title">{t('models.emptyTitle')}</p>
      <p className="muted">{t('models.emptyBody')}</p>
      {modelsDir !== null && (
        <p className="folder">
          <span className="muted">{t('models.folderLabel')}</span>
          <code data-testid="models-dir">{modelsDir}</code>
        </p>
      )}
    </div>
  );
}

const ModelOption = memo(function ModelOption({ model, selected, onSelect }: { model: ModelInfo; selected: boolean; onSelect: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const unusable = model.problem !== null;
  if (model.server !== undefined) return <ServerModelOption model={model} server={model.server} selected={selected} onSelect={onSelect} />;
  const facts = [
    formatBytes(lang, model.sizeBytes),
    model.quantization ?? t('models.quantizationUnknown'),
    model.parameterCount !== null ? t('models.parameters', { value: formatCompact(lang, model.parameterCount) }) : null,
  ].filter((fact) => fact !== null);
  const details = [model.architecture ?? t('models.architectureUnknown'), model.contextLength !== null ? t('models.context', { value: formatInteger(lang, model.contextLength) }) : null].filter(
    (fact) => fact !== null,
  );

  return (
    <button
      type="button"
      className="model-option"
      data-testid="model-option"
      data-model-id={model.id}
      aria-pressed={selected}
      disabled={unusable}
      title={model.fileName}
      onClick={() => onSelect(model.id)}
    >
      <span className="model-name">{model.name}</span>
      <span className="model-facts">{facts.join(' · ')}</span>
      <span className="model-facts">{details.join(' · ')}</span>
      {!unusable && !model.hasChatTemplate && <span className="model-warning">{t('models.noChatTemplate')}</span>}
      {model.problem !== null && (
        <span className="model-problem" data-testid="model-problem" data-code={model.problem.code} title={model.problem.message}>
          <strong>{t('models.unusable')}</strong> {t(`models.problem.${model.problem.code}`)}
        </span>
      )}
    </button>
  );
});

/** A model of an inference server: named with its server, marked as computed there. */
function ServerModelOption({ model, server, selected, onSelect }: { model: ModelInfo; server: { id: string; name: string }; selected: boolean; onSelect: (id: string) => void }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="model-option"
      data-testid="model-option"
      data-model-id={model.id}
      data-server={server.id}
      aria-pressed={selected}
      title={server.id}
      onClick={() => onSelect(model.id)}
    >
      <span className="model-name">{model.name}</span>
      <span className="model-facts">{t('models.onServer', { name: server.name })}</span>
      <span className="model-remote" data-testid="model-remote">
        {t('models.sentToServer', { name: server.name })}
      </span>
    </button>
  );
}
