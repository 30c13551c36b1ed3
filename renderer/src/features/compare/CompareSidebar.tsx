import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CompareRunSummary } from '../../../../shared/compare.ts';
import { useApi } from '../../api/react.tsx';
import { compareView, useCompareView, type ComparePanel } from './compare-store.ts';

const PANELS = ['new', 'sets', 'replay', 'leaderboard'] as const satisfies readonly Exclude<ComparePanel, 'run'>[];

/** The Compare page's sidebar: its panels, then the saved runs (newest first). */
export function CompareSidebar() {
  const { t } = useTranslation();
  const api = useApi();
  const view = useCompareView();
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
  }, [api, view.listVersion]);

  return (
    <nav className="compare-sidebar" aria-label={t('compare.sidebarLabel')}>
      <ul className="compare-panels">
        {PANELS.map((panel) => (
          <li key={panel}>
            <button type="button" className={`compare-panel-link${view.panel === panel ? ' compare-panel-active' : ''}`} onClick={() => compareView.show(panel)} data-testid={`compare-panel-${panel}`}>
              {t(`compare.panel.${panel}`)}
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
              <button type="button" className={`compare-run-link${view.runId === run.id ? ' compare-panel-active' : ''}`} onClick={() => compareView.open(run.id)}>
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
