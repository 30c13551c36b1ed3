import { useEffect, useState } from 'react';
import type { CompareProgress, CompareRun } from '#shared/compare.ts';
import type { ErrorCode } from '#shared/errors.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';

/** One run, kept live: streamed text, finished answers and progress arrive as events. */
export function useCompareRun(runId: string | null): { run: CompareRun | null; progress: CompareProgress | null; error: ErrorCode | null; setRun(run: CompareRun): void } {
  const api = useApi();
  const [run, setRun] = useState<CompareRun | null>(null);
  const [progress, setProgress] = useState<CompareProgress | null>(null);
  const [error, setError] = useState<ErrorCode | null>(null);

  useEffect(() => {
    // RunView is keyed by the run id, so a fresh state per run needs no reset here.
    if (runId === null) return undefined;
    let live = true;
    api.call('compare.get', { id: runId }).then(
      (loaded) => live && setRun(loaded),
      (caught: unknown) => live && setError(toEnclaveError(caught).code),
    );
    const offDelta = api.on('compare.delta', ({ runId: id, turn, column, text }) => {
      if (id !== runId) return;
      setRun((current) =>
        current === null
          ? current
          : { ...current, answers: current.answers.map((answer) => (answer.turn === turn && answer.column === column ? { ...answer, state: 'generating', content: answer.content + text } : answer)) },
      );
    });
    const offAnswer = api.on('compare.answer', ({ runId: id, answer }) => {
      if (id !== runId) return;
      setRun((current) => (current === null ? current : { ...current, answers: current.answers.map((cell) => (cell.turn === answer.turn && cell.column === answer.column ? answer : cell)) }));
    });
    const offProgress = api.on('compare.progress', (next) => {
      if (next.runId !== runId) return;
      setProgress(next);
      // The run's state (running → done) and a revealed blind run come with the stored copy.
      if (next.done === next.total) void api.call('compare.get', { id: runId }).then((loaded) => live && setRun(loaded));
    });
    return () => {
      live = false;
      offDelta();
      offAnswer();
      offProgress();
    };
  }, [api, runId]);

  return { run, progress, error, setRun };
}
