import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { DocumentAttachment } from '#shared/documents.ts';
import { MAX_PORT, MIN_USER_PORT, parseUserPort } from '#shared/ports.ts';
import type { LanInterface, WorkshopCaller, WorkshopParticipant, WorkshopPush, WorkshopStatus } from '#shared/workshop.ts';
import { formatDuration } from '../../i18n/format.ts';
import { useAppSelector } from '../../state/react.tsx';
import { selectSelectedModel } from '../../state/slices/models.ts';
import { QrCode } from './QrCode.tsx';
import { RoomDocuments } from './RoomDocuments.tsx';
import { RoomModels } from './RoomModels.tsx';
import { useWorkshop, type WorkshopState } from './use-workshop.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatInteger, formatRate } from '../../i18n/format.ts';
import './workshop.css';

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
      <ErrorNote code={error} />
    </section>
  );
}

function StartForm({ workshop }: { workshop: WorkshopState }) {
  const { t } = useTranslation();
  const choices = [...workshop.interfaces, REHEARSAL];
  const [address, setAddress] = useState<string>('');
  const [port, setPort] = useState(String(DEFAULT_PORT));
  const [understood, setUnderstood] = useState(false);
  // The model the trainer has chosen in the app, to begin with.
  const appModel = useAppSelector(selectSelectedModel);
  const [modelIds, setModelIds] = useState<string[]>(appModel === null ? [] : [appModel.id]);
  const [documents, setDocuments] = useState<DocumentAttachment>({ collectionIds: [], only: false });
  const chosen = address === '' ? (choices[0]?.address ?? REHEARSAL.address) : address;
  const portNumber = parseUserPort(port);
  const portValid = portNumber !== null;

  function start(event: FormEvent): void {
    event.preventDefault();
    if (understood && portNumber !== null && modelIds.length > 0) workshop.start(chosen, portNumber, modelIds, documents);
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
          <input type="number" min={MIN_USER_PORT} max={MAX_PORT} value={port} onChange={(event) => setPort(event.target.value)} data-testid="workshop-port" />
        </label>
      </div>
      <RoomModels selected={modelIds} onChange={setModelIds} />
      <RoomDocuments value={documents} onChange={setDocuments} />
      <label className="workshop-consent">
        <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} data-testid="workshop-understood" />
        <span>{t('workshop.understood')}</span>
      </label>
      <button type="submit" className="button button-primary" disabled={!understood || !portValid || modelIds.length === 0} data-testid="workshop-start">
        {t('workshop.start')}
      </button>
    </form>
  );
}

function OpenRoom({ status, workshop }: { status: WorkshopStatus; workshop: WorkshopState }) {
  const { t, i18n } = useTranslation();
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
            <button
              type="button"
              className="button button-quiet"
              onClick={() => window.confirm(t('workshop.resetConfirm', { duration: formatDuration(i18n.language, status.graceMs) })) && workshop.reset()}
              data-testid="workshop-reset"
            >
              {t('workshop.reset')}
            </button>
            <button
              type="button"
              className="button button-quiet"
              onClick={() =>
                (status.participants.length === 0 || window.confirm(t('workshop.stopConfirm', { count: status.participants.length, duration: formatDuration(i18n.language, status.graceMs) }))) &&
                workshop.stop()
              }
              data-testid="workshop-stop"
            >
              {t('workshop.stop')}
            </button>
          </div>
        </div>
      </div>

      <div className="workshop-card">
        <h2>{t('workshop.roomTitle', { count: status.participants.length })}</h2>
        {status.documents !== null && (
          <p className="muted" data-testid="workshop-shared-documents">
            {t(status.documents.only ? 'workshop.documents.sharedOnly' : 'workshop.documents.shared', { names: status.documents.collections.map((collection) => collection.name).join(', ') })}
          </p>
        )}
        <p className="muted" data-testid="workshop-queue">
          {status.running.length === 0 ? t('workshop.engineIdle') : t('workshop.engineBusy', { name: status.running.map((caller) => callerLabel(caller, t)).join(', ') })}{' '}
          {t('workshop.waiting', { count: status.waiting })} · {t('workshop.throughput', { count: status.throughput.answers, rate: formatRate(i18n.language, status.throughput.tokensPerSecond) })}
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
                <ParticipantRow
                  key={participant.id}
                  participant={participant}
                  onRemove={() => window.confirm(t('workshop.removeConfirm', { name: participant.name, duration: formatDuration(i18n.language, status.graceMs) })) && workshop.remove(participant.id)}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>

      <PushForm workshop={workshop} pushed={status.pushed} />
    </>
  );
}

function ParticipantRow({ participant, onRemove }: { participant: WorkshopParticipant; onRemove: () => void }) {
  const { t, i18n } = useTranslation();
  return (
    <tr data-testid="workshop-participant" data-state={participant.state}>
      <td>{participant.name}</td>
      <td>{participant.state === 'waiting' ? t('workshop.state.waiting', { position: participant.position }) : t(`workshop.state.${participant.state}`)}</td>
      <td>{formatInteger(i18n.language, participant.answers)}</td>
      <td>{formatInteger(i18n.language, participant.tokens)}</td>
      <td>
        <button type="button" className="button button-quiet" onClick={onRemove} data-testid="workshop-remove">
          {t('workshop.remove')}
        </button>
      </td>
    </tr>
  );
}

function callerLabel(caller: WorkshopCaller, t: TFunction): string {
  return caller.kind === 'participant' ? caller.name : t(`workshop.caller.${caller.kind}`);
}

function PushForm({ workshop, pushed }: { workshop: WorkshopState; pushed: WorkshopPush | null }) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState('');
  // The console's own language first.
  const sets = [...workshop.exercises].sort((a, b) => Number(i18n.language.startsWith(b.language)) - Number(i18n.language.startsWith(a.language)));

  function push(event: FormEvent): void {
    event.preventDefault();
    if (text.trim() === '') return;
    workshop.push(text.trim());
    setText('');
  }

  return (
    <div className="workshop-card">
      <h2>{t('workshop.pushTitle')}</h2>
      {pushed !== null && (
        <p className="muted" data-testid="workshop-last-pushed">
          {t('workshop.lastPushed', { what: pushed.title ?? firstLine(pushed.text), time: new Date(pushed.at).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }) })}
        </p>
      )}
      <form className="workshop-push-form" onSubmit={push}>
        <textarea rows={3} value={text} onChange={(event) => setText(event.target.value)} placeholder={t('workshop.pushPlaceholder')} data-testid="workshop-push-text" />
        <button type="submit" className="button button-primary" disabled={text.trim() === ''} data-testid="workshop-push">
          {t('workshop.push')}
        </button>
      </form>
      {sets.map((set) => (
        // The console's own language open; the others a click away.
        <details key={set.name} className="workshop-exercises" lang={set.language} open={i18n.language.startsWith(set.language)} data-testid="workshop-exercise-set">
          <summary>{set.name}</summary>
          <ul>
            {set.exercises.map((exercise) => (
              <li key={exercise.id} data-testid="workshop-exercise" data-exercise-id={exercise.id}>
                <div>
                  <strong>{exercise.title}</strong>
                  <p className="muted">{exercise.goal}</p>
                </div>
                <button type="button" className="button button-quiet" onClick={() => workshop.push(exercise.prompt, exercise.title)} data-testid="workshop-push-exercise">
                  {pushed?.text === exercise.prompt ? t('workshop.pushedExercise') : t('workshop.pushExercise')}
                </button>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
