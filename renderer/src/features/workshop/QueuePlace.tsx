import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/react.tsx';
import { useAppSelector } from '../../state/react.tsx';
import './workshop.css';

/** While this window's answer waits behind others (workshop participants, local API calls), its place. */
export function QueuePlace() {
  const { t } = useTranslation();
  const api = useApi();
  const jobId = useAppSelector((s) => (s.chat.job !== null && s.chat.job.text === '' ? s.chat.job.id : null));
  const [place, setPlace] = useState<{ jobId: string; position: number } | null>(null);

  useEffect(() => api.on('chat.queued', setPlace), [api]);
  useEffect(() => api.on('chat.delta', (payload) => setPlace((current) => (current?.jobId === payload.jobId ? null : current))), [api]);

  if (jobId === null || place?.jobId !== jobId) return null;
  return (
    <p className="queue-place" role="status" data-testid="queue-place">
      {t('workshop.queuePlace', { count: place.position })}
    </p>
  );
}
