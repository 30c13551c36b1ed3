import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CompareRunSummary } from '#shared/compare.ts';
import { useApi } from '../../api/react.tsx';
import { useActions, useAppSelector } from '../../state/react.tsx';
import type { ComparePanel } from '../../state/slices/compare.ts';
import './compare.css';

const PANELS = ['new', 'sets', 'replay', 'leaderboard'] as const satisfies readonly Exclude<ComparePanel, 'run'>[];

/** The Compare page's sidebar: its panels, then the saved runs (newest first). */
export function CompareSidebar() {
  const { t } = useTranslation();
  const api = useApi();
  const panel = useAppSelector((s) => s.compare.panel);
  const runId = useAppSelector((s) => s.compare.runId);
  const listVersion = useAppSelector((s) => s.compare.listVersion);
  const { showPanel, openRun } = useActions().compare;
  const [runs, setRuns] = useState<CompareRunSummary[]>([]);

  useEffect(() => {
    const reload = (): void => void api.call('compare.list', {}).then(setRuns, () => undefined);
    reload();
    let pending: ReturnType<typeof setTimeout> | null = null;
    const off = api.on('compare.progress', (progress) => {
      // A finished run shows at once; in between, at most one reload a second.
      if (progress.done === progress.total) {
        if (pending !== null) clearTimeout(pending);
        pending = null;
        reload();
        return;
      }
      pending ??= setTimeout(() => {
        pending = null;
        reload();
      }, 1000);
    });
    return () => {
      off();
      if (pending !== null) clearTimeout(pending);
    };
  }, [api, listVersion]);

  return (
    <nav className="compare-sidebar" aria-label={t('compare.sidebarLabel')}>
      <ul className="compare-panels">
        {PANELS.map((name) => (
          <li key={name}>
            <button type="button" className={`compare-panel-link${panel === name ? ' compare-panel-active' : ''}`} onClick={() => showPanel(name)} data-testid={`compare-panel-${name}`}>
              {t(`compare.panel.${name}`)}
            </button>
          </li>
        ))}
      </ul>
      <h2 className="compare-runs-title">{t('compare.runs')}</h2>
      {runs.length === 0 ? (
        <p className="muted compare-runs-empty">{t('compare.noRuns')}</p>
      ) : (
        <ul className="compare-runs" data-testid="compare-runs">
          {runs.map((run) => (
            <li key={run.id}>
              <button type="button" className={`compare-run-link${runId === run.id ? ' compare-panel-active' : ''}`} onClick={() => openRun(run.id)}>
                <span className="compare-run-name">{run.title}</span>
                <span className="muted">
                  {t(`compare.kind.${run.kind}`)} · {t('compare.progress', { done: run.doneAnswers, total: run.totalAnswers })}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
