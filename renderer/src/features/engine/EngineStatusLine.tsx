import { useTranslation } from 'react-i18next';
import { formatInteger } from '../../i18n/format.ts';
import { useAppState } from '../../state/react.tsx';

export function EngineStatusLine() {
  const { t, i18n } = useTranslation();
  const engine = useAppState((s) => s.engine);
  const connection = useAppState((s) => s.connection);
  const loadedName = useAppState((s) => {
    const id = s.engine?.loadedModelId ?? null;
    if (id === null) return null;
    return s.models.find((m) => m.id === id)?.name ?? id;
  });

  let text: string;
  let state: string;
  if (connection !== 'open') {
    state = connection === 'connecting' ? 'connecting' : 'disconnected';
    text = connection === 'connecting' ? t('connection.connecting') : t('connection.closed');
  } else if (engine === null) {
    state = 'unknown';
    text = t('engine.unknown');
  } else {
    state = engine.state;
    const parts = [
      engine.backend !== null ? t(`engine.backend.${engine.backend}`) : null,
      engine.threads !== null
        ? t('engine.threads', { count: engine.threads, value: formatInteger(i18n.language, engine.threads) })
        : null,
      t(`engine.state.${engine.state}`),
    ].filter((part) => part !== null);
    text = parts.join(' · ');
  }

  return (
    <div className="engine-status" data-testid="engine-status" data-state={state} role="status">
      <span className={`status-dot status-${state}`} aria-hidden="true" />
      <span className="engine-text">
        <span className="engine-label">{t('engine.label')}</span> {text}
        {connection === 'open' && loadedName !== null && (
          <span className="engine-model">{t('engine.loaded', { name: loadedName })}</span>
        )}
      </span>
    </div>
  );
}
