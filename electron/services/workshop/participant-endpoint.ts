/**
 * What a workshop participant's browser may do: chat with the loaded models in their own
 * conversations, in their own turn of the shared queue, answered from the collections the trainer
 * shares (read-only: their passages open, nothing else of the documents is reachable). Library, downloads, settings, the local
 * API and other participants' conversations are out of reach: their router has no handler for them.
 */
import type { HostEvent } from '#shared/contract.ts';
import type { ContractEndpoint } from '#shared/endpoint.ts';
import { EnclaveError } from '#shared/errors.ts';
import type { DocumentWindow } from '#shared/documents.ts';
import type { WorkshopMe } from '#shared/workshop.ts';
import { createRouter, type Handlers } from '../../router/router.ts';
import type { ChatService, JobObserver } from '../chat/chat-service.ts';
import { requireMessages } from '../chat/handlers.ts';
import type { Participant, Participants } from './participants.ts';

/** The trainer's read-only answers a participant shares. */
export type SharedReads = Handlers<'app.info' | 'models.list' | 'engine.status'>;

/** Events a participant's window receives (job events only for their own jobs, filtered by the transport). */
const PARTICIPANT_EVENTS = new Set<HostEvent['event']>(['chat.delta', 'chat.thought', 'chat.loaded', 'chat.done', 'chat.error', 'chat.queued', 'engine.status', 'workshop.pushed', 'workshop.ended']);

export interface ParticipantEndpointOptions {
  shared: SharedReads;
  /** The host's event bus. */
  events: (listener: (event: HostEvent) => void) => () => void;
  chat: ChatService;
  participants: Participants;
  participant: Participant;
  me: () => WorkshopMe;
  /** The models the trainer offers the room: the only ones listed and answered. */
  roomModels: () => string[];
  /** The collections the trainer shares with the room: the only ones answered from, and whose files open. */
  roomCollections: () => readonly string[];
  /** Whether the room answers from its documents only. */
  roomOnly: () => boolean;
  /** A window of a file's passages (null: the app has no documents). */
  passages: ((fileId: string, around: { page?: number | null | undefined; quote?: string | undefined; position?: number | undefined }) => DocumentWindow | null) | null;
  /** They leave now, their room having ended. */
  leave: () => void;
}

export function participantEndpoint(options: ParticipantEndpointOptions): ContractEndpoint {
  const { shared, chat, participants, participant } = options;
  const listeners = new Set<(event: HostEvent) => void>();

  /** Its end counts in the console. */
  const follow = (jobId: string): JobObserver => {
    return {
      onDelta: () => undefined,
      onDone: (_text, stats) => {
        participant.jobs.delete(jobId);
        participant.answers++;
        participant.tokens += stats.tokens;
      },
      onError: () => participant.jobs.delete(jobId),
    };
  };

  const router = createRouter(
    {
      // Paths on the trainer's machine are none of the room's business.
      'app.info': async (input) => ({ ...(await shared['app.info'](input)), modelsDir: '', dataDir: '', participant: { name: participant.name } }),
      'models.list': async (input) => {
        const offered = options.roomModels();
        return (await shared['models.list'](input)).filter((model) => offered.includes(model.id));
      },
      'engine.status': shared['engine.status'],
      'workshop.me': () => options.me(),
      'workshop.leave': () => {
        if (participant.ending === null) throw new EnclaveError('FORBIDDEN', 'the workshop is still open: leave by closing the window');
        options.leave();
        return { left: true };
      },
      'chat.stop': ({ jobId }) => (participant.jobs.has(jobId) ? chat.stop(jobId) : { stopped: false }),
      'chat.generate': async ({ conversation, messages, ...rest }) => {
        if (participant.ending !== null)
          throw new EnclaveError('WORKSHOP_ENDED', 'the workshop has ended for this participant: their conversations can still be downloaded', { ...participant.ending });
        if (!options.roomModels().includes(rest.modelId)) throw new EnclaveError('FORBIDDEN', `${rest.modelId} is not one of the workshop's models`, { modelId: rest.modelId });
        const shared = options.roomCollections();
        const other = conversation?.documents?.collectionIds.find((id) => !shared.includes(id));
        if (other !== undefined) throw new EnclaveError('FORBIDDEN', 'participants answer only from the collections the trainer shares', { collectionId: other });
        participants.assertMayAsk(participant);
        // The job is theirs to stop from the moment they name it, before the engine says anything.
        participant.jobs.add(rest.jobId);
        try {
          const started =
            conversation !== undefined
              ? await participant.conversations.chat.generate({ ...rest, conversation }, follow)
              : await chat.generate({ ...rest, messages: requireMessages(messages) }, follow, participant.caller);
          participants.countAsked(participant);
          return started;
        } catch (error) {
          // Refused (BUSY while their answer runs, an unknown model): not theirs, and not counted.
          participant.jobs.delete(rest.jobId);
          throw error;
        }
      },
      ...participant.conversations.handlers,
      // Every conversation of theirs answers from what the room shares.
      'documents.attachment': () => ({ collectionIds: [...options.roomCollections()], only: options.roomOnly() }),
      // A source opens its document, if it is in a collection the room shares (any other is as good as absent).
      'documents.passages': ({ fileId, ...around }) => {
        const window = options.passages?.(fileId, around) ?? null;
        if (window === null || !options.roomCollections().includes(window.file.collectionId)) throw new EnclaveError('NOT_FOUND', `no document ${fileId}`, { fileId });
        return window;
      },
    },
    { unavailable: (command) => new EnclaveError('FORBIDDEN', `${command} is not available to workshop participants`) },
  );

  const unsubscribe = options.events((event) => {
    if (!PARTICIPANT_EVENTS.has(event.event)) return;
    if (event.event === 'workshop.ended') {
      // Another participant's end is none of theirs.
      if (!event.payload.participantIds.includes(participant.id)) return;
      const own: HostEvent = { event: 'workshop.ended', payload: { ...event.payload, participantIds: [participant.id] } };
      for (const listener of listeners) listener(own);
      return;
    }
    for (const listener of listeners) listener(event);
  });

  return {
    call: (command, input) => router.call(command, input),
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) unsubscribe();
      };
    },
  };
}
