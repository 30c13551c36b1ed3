import type { TFunction } from 'i18next';
import { useLayoutEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { answerColumn, type CompareProgress, type CompareRun, type CompareTurn, type Vote } from '#shared/compare.ts';
import type { ErrorCode } from '#shared/errors.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';
import { formatDuration } from '../../i18n/format.ts';
import { useActions } from '../../state/react.tsx';
import { useCollections } from '../documents/collections.ts';
import { AnswerCell } from './AnswerCell.tsx';
import { useCategoryName } from './category-name.ts';
import { ReportButtons } from './ReportButtons.tsx';
import { useCompareRun } from './use-compare-run.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';

/** The collections a run answers from, by name (a collection deleted since is left out). */
function RunDocuments({ collectionIds, only }: { collectionIds: readonly string[]; only: boolean }) {
  const { t } = useTranslation();
  const collections = useCollections();
  const names = (collections ?? []).filter((collection) => collectionIds.includes(collection.id)).map((collection) => collection.name);
  return (
    <p className="compare-system muted" data-testid="compare-run-documents">
      {names.length === 0 ? t('compare.documents.gone') : t(only ? 'compare.documents.shownOnly' : 'compare.documents.shown', { names: names.join(', ') })}
    </p>
  );
}

/** An open run: turns by columns, progress, votes, ratings and follow-ups. */
export function RunView({ runId }: { runId: string }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const categoryName = useCategoryName();
  const { listChanged } = useActions().compare;
  const { run, progress, error: loadError, setRun } = useCompareRun(runId);
  const [error, setError] = useState<ErrorCode | null>(null);
  const [followUp, setFollowUp] = useState('');
  const hidden = run !== null && !run.revealed;
  useBlindScreenWhile(hidden ? run : null, progress);

  function act(promise: Promise<CompareRun>): void {
    setError(null);
    promise.then(
      (next) => {
        setRun(next);
        listChanged();
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
  const votesLocked = run.blind && run.revealed;

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
        {run.blind && (
          <span className="compare-kind" data-testid="compare-blind-state" data-revealed={run.revealed}>
            {run.revealed ? t('compare.blindRevealed') : t('compare.blindHidden')}
          </span>
        )}
        <div className="compare-run-actions">
          {open ? (
            <button type="button" className="button button-stop" onClick={() => act(api.call('compare.stop', { id: runId }))}>
              {t('compare.stop')}
            </button>
          ) : run.answers.some((answer) => answer.state === 'stopped' || answer.state === 'error' || answer.state === 'interrupted') ? (
            <button type="button" className="button button-quiet" onClick={() => act(api.call('compare.resume', { id: runId }))} data-testid="compare-resume">
              {t('compare.resume')}
            </button>
          ) : null}
          {hidden && (
            <button type="button" className="button button-quiet" onClick={() => act(api.call('compare.reveal', { id: runId }))} data-testid="compare-reveal">
              {t('compare.reveal')}
            </button>
          )}
          <ReportButtons runIds={[runId]} />
        </div>
      </header>
      <ErrorNote code={error} />
      <div className="compare-progress" data-testid="compare-progress">
        <progress max={total} value={done} aria-label={t('compare.progressLabel')} />
        <span>
          {t('compare.progress', { done, total })}
          {open && eta !== null && ` · ${t('compare.eta', { value: formatDuration(i18n.language, eta) })}`}
          {open && progress !== null && progress.active.map((active) => ` · ${phaseText(t, run, active, hidden)}`).join('')}
        </span>
      </div>
      {run.blind && <p className="muted compare-blind-note">{hidden ? t('compare.revealHint') : t('compare.votesClosed')}</p>}
      {run.documents !== null && <RunDocuments collectionIds={run.documents.collectionIds} only={run.documents.only} />}
      {run.systemPrompt !== '' && <p className="compare-system muted">{t('compare.systemShown', { text: run.systemPrompt })}</p>}
      {run.turnList.map((turn) => {
        const cells = run.answers.filter((answer) => answer.turn === turn.position);
        const turnOpen = cells.some((answer) => answer.state === 'pending' || answer.state === 'generating');
        return (
          <div key={turn.position} className="compare-turn" data-testid="compare-turn">
            <div className="compare-prompt">
              {turn.category !== null && <span className="compare-category">{categoryName(turn.category)}</span>}
              <p>{turn.prompt}</p>
              {turn.gradingNotes !== null && <p className="muted compare-notes">{t('compare.gradingNotes', { text: turn.gradingNotes })}</p>}
            </div>
            <div className="compare-columns" style={{ gridTemplateColumns: `repeat(${run.columnList.length}, minmax(0, 1fr))` }}>
              {cells.map((answer) => {
                const column = answerColumn(run, turn.position, answer.column);
                if (column === undefined) return null;
                return (
                  <AnswerCell
                    key={answer.column}
                    column={column}
                    answer={answer}
                    blind={hidden}
                    onRate={(rating) => act(api.call('compare.rate', { id: runId, turn: turn.position, column: answer.column, rating }))}
                  />
                );
              })}
            </div>
            {!turnOpen && <VoteBar run={run} turn={turn} locked={votesLocked} onVote={(vote) => act(api.call('compare.vote', { id: runId, turn: turn.position, vote }))} />}
          </div>
        );
      })}
      {run.kind === 'compare' && !votesLocked && (
        <form className="compare-follow-up" onSubmit={submitFollowUp}>
          <textarea
            value={followUp}
            onChange={(event) => setFollowUp(event.target.value)}
            placeholder={t('compare.followUpPlaceholder')}
            rows={2}
            aria-label={t('compare.followUp')}
            data-testid="compare-follow-up"
          />
          <button type="submit" className="button button-primary" disabled={open || followUp.trim() === ''}>
            {t('compare.followUp')}
          </button>
        </form>
      )}
    </section>
  );
}

/** Tells the rest of the page (the engine status line) that a hidden blind run is shown, for as long as it is. */
function useBlindScreenWhile(run: CompareRun | null, progress: CompareProgress | null): void {
  const labels = run === null ? null : (progress?.active ?? []).filter((active) => active.phase !== 'waiting').map((active) => run.columnList[active.column]?.label ?? '?');
  const key = labels === null ? null : labels.join();
  const { showBlindScreen } = useActions().compare;
  // Layout effects: the status line is masked in the same frame the run appears, never a frame later.
  useLayoutEffect(() => {
    showBlindScreen(key === null ? null : { activeLabels: key === '' ? [] : key.split(',') });
  }, [key, showBlindScreen]);
  useLayoutEffect(() => () => showBlindScreen(null), [showBlindScreen]);
}

/** What one active answer is doing. In a hidden blind run, loading and answering read the same: a column that needs no load would be the model used last. */
function phaseText(t: TFunction, run: CompareRun, active: CompareProgress['active'][number], hidden: boolean): string {
  const label = run.columnList[active.column]?.label ?? '';
  if (hidden && active.phase !== 'waiting') return t('compare.phase.blind', { label });
  return t(`compare.phase.${active.phase}`, { label });
}

function VoteBar({ run, turn, locked, onVote }: { run: CompareRun; turn: CompareTurn; locked: boolean; onVote(vote: Vote): void }) {
  const { t } = useTranslation();
  const { vote } = turn;
  const voted = vote === null ? null : 'winner' in vote ? (run.columnList[vote.winner]?.label ?? '') : t(`compare.vote.${vote.outcome}`);
  const status = voted !== null ? t('compare.voted', { choice: voted }) : locked ? t('compare.noVote') : t('compare.voteQuestion');
  return (
    <div className="compare-vote" role="group" aria-label={t('compare.voteLabel')} data-testid="compare-vote">
      <span className="muted">{status}</span>
      {!locked && (
        <>
          {run.columnList.map((column) => (
            <button
              key={column.position}
              type="button"
              className="button button-quiet"
              aria-pressed={vote !== null && 'winner' in vote && vote.winner === column.position}
              onClick={() => onVote({ winner: column.position })}
              data-testid={`vote-${column.label}`}
            >
              {t('compare.vote.better', { label: column.reference ? 'ChatGPT' : column.label })}
            </button>
          ))}
          <button
            type="button"
            className="button button-quiet"
            aria-pressed={vote !== null && 'outcome' in vote && vote.outcome === 'tie'}
            onClick={() => onVote({ outcome: 'tie' })}
            data-testid="vote-tie"
          >
            {t('compare.vote.tie')}
          </button>
          <button
            type="button"
            className="button button-quiet"
            aria-pressed={vote !== null && 'outcome' in vote && vote.outcome === 'bad'}
            onClick={() => onVote({ outcome: 'bad' })}
            data-testid="vote-bad"
          >
            {t('compare.vote.bad')}
          </button>
        </>
      )}
      {!run.blind && <span className="muted compare-vote-note">{t('compare.openVote')}</span>}
    </div>
  );
}
