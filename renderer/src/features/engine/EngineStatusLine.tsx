import { useTranslation } from 'react-i18next';
import { useAppSelector } from '../../state/react.tsx';
import './engine.css';

export function EngineStatusLine() {
  const { t } = useTranslation();
  const engine = useAppSelector((s) => s.host.engine);
  const connection = useAppSelector((s) => s.host.connection);
  // One model per engine process; several when answers for different models run side by side.
  const loadedName = useAppSelector((s) => {
    const names = (s.host.engine?.loaded ?? []).map((loaded) => s.models.list.find((m) => m.id === loaded.modelId)?.name ?? loaded.modelId);
    return names.length === 0 ? null : names.join(', ');
  });
  // An unrevealed blind comparison is on screen: the loaded model is one of its hidden columns.
  const blind = useAppSelector((s) => s.compare.blindScreen);
  const shownName = loadedName === null || blind === null ? loadedName : blind.activeLabels.length > 0 ? t('engine.loadedBlind', { labels: blind.activeLabels.join(', ') }) : t('engine.loadedHidden');

  let text: string;
  let state: string;
  if (connection !== 'open') {
    state = connection === 'connecting' ? 'connecting' : 'disconnected';
    text = t(`connection.${connection}`);
  } else if (engine === null) {
    state = 'unknown';
    text = t('engine.unknown');
  } else {
    state = engine.state;
    const parts = [
      engine.backend !== null ? t(`engine.backend.${engine.backend}`) : null,
      engine.build === 'local' ? t('engine.localBuild') : null,
      engine.threads !== null ? t('engine.threads', { count: engine.threads }) : null,
      t(`engine.state.${engine.state}`),
    ].filter((part) => part !== null);
    text = parts.join(' · ');
  }

  return (
    <div className="engine-status" data-testid="engine-status" data-state={state} role="status">
      <span className={`status-dot status-${state}`} aria-hidden="true" />
      <span className="engine-text" title={engine?.build === 'local' ? t('engine.localBuildTitle') : undefined}>
        <span className="engine-label">{t('engine.label')}</span> {text}
        {connection === 'open' && shownName !== null && (
          <span className="engine-model" data-testid="engine-model">
            {t('engine.loaded', { name: shownName })}
          </span>
        )}
      </span>
    </div>
  );
}
