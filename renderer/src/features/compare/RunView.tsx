import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CompareRun, Vote } from '../../../../shared/compare.ts';
import type { ErrorCode } from '../../../../shared/errors.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { formatDuration } from '../../i18n/format.ts';
import { AnswerCell } from './AnswerCell.tsx';
import { compareView } from './compare-store.ts';
import { ReportButtons } from './ReportButtons.tsx';
import { useCompareRun } from './use-compare-run.ts';

/** An open run: turns by columns, progress, votes, ratings and follow-ups. */
export function RunView({ runId }: { runId: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const { run, progress, error: loadError, setRun } = useCompareRun(runId);
  const [error, setError] = useState<ErrorCode | null>(null);
  const [followUp, setFollowUp] = useState('');

  function act(promise: Promise<CompareRun>): void {
    setError(null);
    promise.then(
      (next) => {
        setRun(next);
        compareView.listChanged();
      },
      (caught: unknown) => setError(toEnclaveError(caught).code),
    );
  }

  if (loadError !== null) return <p role="alert">{t(`errors.${loadError}`)}</p>;
  if (run === null) return <p className="muted">{t('compare.loading')}</p>;

  const open = run.answers.some((answer) => answer.state === 'pending' || answer.state === 'generating');
  const done = progress?.done ?? run.doneAnswers;
  const total = progress?.total ?? run.totalAnswers;
  const eta = progress?.etaMs ?? null;

  function submitFollowUp(event: FormEvent): void {
    event.preventDefault();
    if (followUp.trim() === '') return;
    act(api.call('compare.followUp', { id: runId, prompt: followUp }));
    setFollowUp('');
  }

  return (
    <section className="compare-run" aria-labelledby="compare-run-title">
      <header className="compare-run-header">
        <h1 id="compare-run-title">{run.title}</h1>
        <span className="compare-kind">{t(`compare.kind.${run.kind}`)}</span>
        {run.blind && <span className="compare-kind">{run.revealed ? t('compare.blindRevealed') : t('compare.blindHidden')}</span>}
        <div className="compare-run-actions">
          {open ? (
            <button type="button" className="button button-stop" onClick={() => act(api.call('compare.stop', { id: runId }))}>
              {t('compare.stop')}
            </button>
          ) : run.answers.some((answer) => answer.state === 'stopped' || answer.state === 'error' || answer.state === 'interrupted') ? (
            <button type="button" className="button button-quiet" onClick={() => act(api.call('compare.resume', { id: runId }))}>
              {t('compare.resume')}
            </button>
          ) : null}
          <ReportButtons runIds={[runId]} />
        </div>
      </header>
      {error !== null && (
        <p className="compare-error" role="alert">
          {t(`errors.${error}`)}
        </p>
      )}
      <div className="compare-progress" data-testid="compare-progress">
        <progress max={total} value={done} aria-label={t('compare.progressLabel')} />
        <span>
          {t('compare.progress', { done, total })}
          {open && eta !== null && ` · ${t('compare.eta', { value: formatDuration(i18n.language, eta) })}`}
          {open && progress !== null && progress.current !== null && ` · ${t(`compare.phase.${progress.current.phase}`, { label: run.columnList[progress.current.column]?.label ?? '' })}`}
        </span>
      </div>
      {run.systemPrompt !== '' && <p className="compare-system muted">{t('compare.systemShown', { text: run.systemPrompt })}</p>}
      {run.turnList.map((turn) => {
        const cells = run.answers.filter((answer) => answer.turn === turn.position);
        const turnOpen = cells.some((answer) => answer.state === 'pending' || answer.state === 'generating');
        return (
          <div key={turn.position} className="compare-turn" data-testid="compare-turn">
            <div className="compare-prompt">
              {turn.category !== null && <span className="compare-category">{turn.category}</span>}
              <p>{turn.prompt}</p>
              {turn.gradingNotes !== null && <p className="muted compare-notes">{t('compare.gradingNotes', { text: turn.gradingNotes })}</p>}
            </div>
            <div className="compare-columns" style={{ gridTemplateColumns: `repeat(${run.columnList.length}, minmax(0, 1fr))` }}>
              {cells.map((answer) => {
                const column = run.columnList[answer.column];
                if (column === undefined) return null;
                return <AnswerCell key={answer.column} column={column} answer={answer} blind={!run.revealed} onRate={(rating) => act(api.call('compare.rate', { id: runId, turn: turn.position, column: answer.column, rating }))} />;
              })}
            </div>
            {!turnOpen && <VoteBar run={run} vote={turn.vote} onVote={(vote) => act(api.call('compare.vote', { id: runId, turn: turn.position, vote }))} />}
          </div>
        );
      })}
      {run.kind === 'compare' && (
        <form className="compare-follow-up" onSubmit={submitFollowUp}>
          <textarea value={followUp} onChange={(event) => setFollowUp(event.target.value)} placeholder={t('compare.followUpPlaceholder')} rows={2} aria-label={t('compare.followUp')} />
          <button type="submit" className="button button-primary" disabled={open || followUp.trim() === ''}>
            {t('compare.followUp')}
          </button>
        </form>
      )}
    </section>
  );
}

function VoteBar({ run, vote, onVote }: { run: CompareRun; vote: Vote | null; onVote(vote: Vote): void }) {
  const { t } = useTranslation();
  const voted = vote === null ? null : 'winner' in vote ? (run.columnList[vote.winner]?.label ?? '') : t(`compare.vote.${vote.outcome}`);
  return (
    <div className="compare-vote" role="group" aria-label={t('compare.voteLabel')} data-testid="compare-vote">
      <span className="muted">{voted === null ? t('compare.voteQuestion') : t('compare.voted', { choice: voted })}</span>
      {run.columnList.map((column) => (
        <button key={column.position} type="button" className="button button-quiet" onClick={() => onVote({ winner: column.position })} data-testid={`vote-${column.label}`}>
          {t('compare.vote.better', { label: column.reference ? 'ChatGPT' : column.label })}
        </button>
      ))}
      <button type="button" className="button button-quiet" onClick={() => onVote({ outcome: 'tie' })} data-testid="vote-tie">
        {t('compare.vote.tie')}
      </button>
      <button type="button" className="button button-quiet" onClick={() => onVote({ outcome: 'bad' })} data-testid="vote-bad">
        {t('compare.vote.bad')}
      </button>
    </div>
  );
}
