import { useCallback, useEffect, useState } from 'react';
import type { DocumentAttachment } from '#shared/documents.ts';
import type { ErrorCode } from '#shared/errors.ts';
import type { LanInterface, WorkshopExerciseSet, WorkshopStatus } from '#shared/workshop.ts';
import { toEnclaveError } from '../../api/errors.ts';
import { useApi } from '../../api/react.tsx';

export interface WorkshopState {
  status: WorkshopStatus | null;
  interfaces: LanInterface[];
  /** The exercises shipped in seeds/workshop-exercises, to push in one click. */
  exercises: WorkshopExerciseSet[];
  error: ErrorCode | null;
  /** `documents`: the collections shared with the room, read-only (none when empty). */
  start(address: string, port: number, modelIds: string[], documents: DocumentAttachment): void;
  stop(): void;
  remove(participantId: string): void;
  reset(): void;
  push(text: string, title?: string): void;
}

/** The trainer console's data: the room, kept live by `workshop.status` events. */
export function useWorkshop(): WorkshopState {
  const api = useApi();
  const [status, setStatus] = useState<WorkshopStatus | null>(null);
  const [interfaces, setInterfaces] = useState<LanInterface[]>([]);
  const [exercises, setExercises] = useState<WorkshopExerciseSet[]>([]);
  const [error, setError] = useState<ErrorCode | null>(null);
  const fail = (caught: unknown): void => setError(toEnclaveError(caught).code);

  useEffect(() => {
    api.call('workshop.status', {}).then(setStatus, fail);
    api.call('workshop.interfaces', {}).then(setInterfaces, fail);
    api.call('workshop.exercises', {}).then(setExercises, fail);
    return api.on('workshop.status', setStatus);
  }, [api]);

  const run = useCallback((call: () => Promise<WorkshopStatus>) => {
    setError(null);
    call().then(setStatus, fail);
  }, []);

  return {
    status,
    interfaces,
    exercises,
    error,
    start: (address, port, modelIds, documents) => run(() => api.call('workshop.start', { address, port, modelIds, ...(documents.collectionIds.length > 0 && { documents }) })),
    stop: () => run(() => api.call('workshop.stop', {})),
    remove: (participantId) => run(() => api.call('workshop.remove', { participantId })),
    reset: () => run(() => api.call('workshop.reset', {})),
    push: (text, title) => run(() => api.call('workshop.push', title === undefined ? { text } : { text, title })),
  };
}
