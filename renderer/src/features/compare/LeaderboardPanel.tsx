import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Leaderboard, LeaderboardRow, LeaderboardVerdict } from '#shared/compare.ts';
import type { ErrorCode } from '#shared/errors.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { useCategoryName } from './category-name.ts';
import { formatInteger, formatPercent } from '../../i18n/format.ts';
import { ReportButtons } from './ReportButtons.tsx';
import { useAppSelector } from '../../state/react.tsx';
import { selectModelName } from '../../state/slices/models.ts';

/** Elo ratings from the votes, overall and per prompt category. */
export function LeaderboardPanel() {
  const { t } = useTranslation();
  const api = useApi();
  const categoryName = useCategoryName();
  const [board, setBoard] = useState<Leaderboard | null>(null);
  const [error, setError] = useState<ErrorCode | null>(null);
  useEffect(() => {
    api.call('compare.leaderboard', {}).then(setBoard, (caught: unknown) => setError(toEnclaveError(caught).code));
  }, [api]);

  return (
    <section className="compare-leaderboard" aria-labelledby="compare-board-title">
      <header className="compare-run-header">
        <h1 id="compare-board-title">{t('compare.leaderboardTitle')}</h1>
        <div className="compare-run-actions">
          <ReportButtons />
        </div>
      </header>
      <p className="muted">{t('compare.leaderboardIntro')}</p>
      {error !== null && <p role="alert">{t(`errors.${error}`)}</p>}
      {board !== null && board.overall.length === 0 && <p className="muted">{t('compare.noVotes')}</p>}
      {board !== null && board.verdict !== null && <Verdict verdict={board.verdict} />}
      {board !== null && board.overall.length > 0 && <BoardTable title={t('compare.overall')} rows={board.overall} />}
      {board?.byCategory.map((entry) => (
        <BoardTable key={entry.category} title={categoryName(entry.category)} rows={entry.rows} />
      ))}
    </section>
  );
}

function BoardTable({ title, rows }: { title: string; rows: LeaderboardRow[] }) {
  const { t, i18n } = useTranslation();
  return (
    <table className="compare-table" data-testid="leaderboard">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">{t('compare.model')}</th>
          <th scope="col">{t('compare.rating')}</th>
          <th scope="col">{t('compare.votes')}</th>
          <th scope="col">{t('compare.share')}</th>
          <th scope="col">{t('compare.wins')}</th>
          <th scope="col">{t('compare.losses')}</th>
          <th scope="col">{t('compare.ties')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.modelId}>
            <td title={row.modelId}>
              <ModelName modelId={row.modelId} />
            </td>
            <td>{row.rating}</td>
            <td>{formatInteger(i18n.language, row.votes)}</td>
            <td>
              {t('compare.shareValue', { value: formatPercent(i18n.language, row.share.value), low: formatPercent(i18n.language, row.share.low), high: formatPercent(i18n.language, row.share.high) })}
            </td>
            <td>{row.wins}</td>
            <td>{row.losses}</td>
            <td>{row.ties}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ModelName({ modelId }: { modelId: string }) {
  return useAppSelector(selectModelName(modelId));
}

/** Who leads, by how much, and whether the votes so far say so clearly. */
function Verdict({ verdict }: { verdict: LeaderboardVerdict }) {
  const { t, i18n } = useTranslation();
  const leader = useAppSelector(selectModelName(verdict.leader));
  const runnerUp = useAppSelector(selectModelName(verdict.runnerUp));
  const values = {
    leader,
    runnerUp,
    count: verdict.votes,
    votes: formatInteger(i18n.language, verdict.votes),
    margin: formatInteger(i18n.language, verdict.margin),
    share: formatPercent(i18n.language, verdict.share.value),
    low: formatPercent(i18n.language, verdict.share.low),
    high: formatPercent(i18n.language, verdict.share.high),
  };
  return (
    <p className={`compare-verdict${verdict.clear ? ' compare-verdict-clear' : ''}`} data-testid="leaderboard-verdict" data-clear={verdict.clear}>
      {verdict.clear ? t('compare.verdict.clear', values) : t('compare.verdict.unsure', values)}
    </p>
  );
}
