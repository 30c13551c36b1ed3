import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { LanInterface, WorkshopParticipant, WorkshopStatus } from '../../../../shared/workshop.ts';
import { QrCode } from './QrCode.tsx';
import { useWorkshop, type WorkshopState } from './use-workshop.ts';

const DEFAULT_PORT = 5180;
const REHEARSAL: LanInterface = { name: 'loopback', address: '127.0.0.1', family: 'IPv4' };

/** The trainer console: share on the LAN (with a warning), the address, QR and code, the room. */
export function WorkshopPage() {
  const { t } = useTranslation();
  const workshop = useWorkshop();
  const { status, error } = workshop;
  return (
    <section className="workshop" aria-labelledby="workshop-title">
      <h1 id="workshop-title">{t('workshop.title')}</h1>
      <p className="muted">{t('workshop.intro')}</p>
      {status?.state === 'open' ? <OpenRoom status={status} workshop={workshop} /> : <StartForm workshop={workshop} />}
      {error !== null && (
        <p className="workshop-error" role="alert">
          {t(`errors.${error}`)}
        </p>
      )}
    </section>
  );
}

function StartForm({ workshop }: { workshop: WorkshopState }) {
  const { t } = useTranslation();
  const choices = [...workshop.interfaces, REHEARSAL];
  const [address, setAddress] = useState<string>('');
  const [port, setPort] = useState(String(DEFAULT_PORT));
  const [understood, setUnderstood] = useState(false);
  const chosen = address === '' ? (choices[0]?.address ?? REHEARSAL.address) : address;
  const portNumber = Number(port);
  const portValid = Number.isInteger(portNumber) && portNumber >= 1024 && portNumber <= 65535;

  function start(event: FormEvent): void {
    event.preventDefault();
    if (understood && portValid) workshop.start(chosen, portNumber);
  }

  return (
    <form className="workshop-card" onSubmit={start}>
      <div className="workshop-warning" role="note">
        <strong>{t('workshop.warningTitle')}</strong>
        <p>{t('workshop.warning')}</p>
      </div>
      <div className="workshop-fields">
        <label>
          <span>{t('workshop.interface')}</span>
          <select value={chosen} onChange={(event) => setAddress(event.target.value)} data-testid="workshop-interface">
            {choices.map((choice) => (
              <option key={choice.address} value={choice.address}>
                {choice === REHEARSAL ? t('workshop.rehearsal') : `${choice.address} (${choice.name})`}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('workshop.port')}</span>
          <input type="number" min={1024} max={65535} value={port} onChange={(event) => setPort(event.target.value)} data-testid="workshop-port" />
        </label>
      </div>
      <label className="workshop-consent">
        <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} data-testid="workshop-understood" />
        <span>{t('workshop.understood')}</span>
      </label>
      <button type="submit" className="button button-primary" disabled={!understood || !portValid} data-testid="workshop-start">
        {t('workshop.start')}
      </button>
    </form>
  );
}

function OpenRoom({ status, workshop }: { status: WorkshopStatus; workshop: WorkshopState }) {
  const { t } = useTranslation();
  return (
    <>
      <div className="workshop-card workshop-join">
        {status.qr !== null && <QrCode modules={status.qr} label={t('workshop.qrLabel', { url: status.url })} />}
        <div>
          <p className="muted">{t('workshop.openAddress')}</p>
          <p className="workshop-url" data-testid="workshop-url">
            {status.url}
          </p>
          <p className="muted">{t('workshop.joinCode')}</p>
          <p className="workshop-code" data-testid="workshop-code">
            {status.joinCode}
          </p>
          <div className="workshop-actions">
            <button type="button" className="button button-quiet" onClick={() => window.confirm(t('workshop.resetConfirm')) && workshop.reset()} data-testid="workshop-reset">
              {t('workshop.reset')}
            </button>
            <button type="button" className="button button-quiet" onClick={workshop.stop} data-testid="workshop-stop">
              {t('workshop.stop')}
            </button>
          </div>
        </div>
      </div>

      <div className="workshop-card">
        <h2>{t('workshop.roomTitle', { count: status.participants.length })}</h2>
        <p className="muted" data-testid="workshop-queue">
          {status.running === null ? t('workshop.engineIdle') : t('workshop.engineBusy', { name: status.running === 'app' ? t('workshop.you') : status.running })}{' '}
          {t('workshop.waiting', { count: status.waiting })} · {t('workshop.throughput', { answers: status.throughput.answers, rate: status.throughput.tokensPerSecond.toFixed(1) })}
        </p>
        {status.participants.length === 0 ? (
          <p className="muted">{t('workshop.empty')}</p>
        ) : (
          <table className="workshop-table" data-testid="workshop-participants">
            <thead>
              <tr>
                <th scope="col">{t('workshop.column.name')}</th>
                <th scope="col">{t('workshop.column.state')}</th>
                <th scope="col">{t('workshop.column.answers')}</th>
                <th scope="col">{t('workshop.column.tokens')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('workshop.column.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {status.participants.map((participant) => (
                <ParticipantRow key={participant.id} participant={participant} onRemove={() => workshop.remove(participant.id)} />
              ))}
            </tbody>
          </table>
        )}
      </div>

      <PushForm workshop={workshop} />
    </>
  );
}

function ParticipantRow({ participant, onRemove }: { participant: WorkshopParticipant; onRemove: () => void }) {
  const { t } = useTranslation();
  return (
    <tr data-testid="workshop-participant" data-state={participant.state}>
      <td>{participant.name}</td>
      <td>{participant.state === 'waiting' ? t('workshop.state.waiting', { position: participant.position }) : t(`workshop.state.${participant.state}`)}</td>
      <td>{participant.answers}</td>
      <td>{participant.tokens}</td>
      <td>
        <button type="button" className="button button-quiet" onClick={onRemove} data-testid="workshop-remove">
          {t('workshop.remove')}
        </button>
      </td>
    </tr>
  );
}

function PushForm({ workshop }: { workshop: WorkshopState }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const exercises = workshop.sets.flatMap((set) => set.prompts.map((prompt, index) => ({ key: `${set.id}:${index}`, label: `${set.name} · ${prompt.category}`, text: prompt.prompt })));

  function push(event: FormEvent): void {
    event.preventDefault();
    if (text.trim() === '') return;
    workshop.push(text.trim());
    setText('');
  }

  return (
    <form className="workshop-card" onSubmit={push}>
      <h2>{t('workshop.pushTitle')}</h2>
      {exercises.length > 0 && (
        <label className="workshop-exercise">
          <span>{t('workshop.exercise')}</span>
          <select value="" onChange={(event) => setText(exercises.find((exercise) => exercise.key === event.target.value)?.text ?? text)} data-testid="workshop-exercise">
            <option value="">{t('workshop.pickExercise')}</option>
            {exercises.map((exercise) => (
              <option key={exercise.key} value={exercise.key}>
                {exercise.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <textarea rows={3} value={text} onChange={(event) => setText(event.target.value)} placeholder={t('workshop.pushPlaceholder')} data-testid="workshop-push-text" />
      <button type="submit" className="button button-primary" disabled={text.trim() === ''} data-testid="workshop-push">
        {t('workshop.push')}
      </button>
    </form>
  );
}
