/**
 * What a workshop participant's browser may do (issue #7): chat with the loaded models in their own
 * conversations, in their own turn of the shared queue. Library, downloads, settings, the local
 * API and other participants' conversations are out of reach.
 */
import { commandSchemas, isCommandName, type CommandInput, type CommandName, type HostEvent } from '../../shared/contract.ts';
import { EnclaveError, toErrorPayload } from '../../shared/errors.ts';
import type { WorkshopMe } from '../../shared/workshop.ts';
import type { ChatService, JobObserver } from '../services/chat.ts';
import type { Participant, Participants } from '../services/workshop/participants.ts';
import { requireMessages } from './conversation-handlers.ts';
import type { CallOutcome, ContractEndpoint } from '../../shared/endpoint.ts';
import type { Host } from './host.ts';

/** Read-only commands answered by the Host itself. */
const SHARED_READS = new Set<CommandName>(['models.list', 'engine.status']);
/** Events a participant's window receives (job events only for their own jobs, filtered by the transport). */
const PARTICIPANT_EVENTS = new Set<HostEvent['event']>(['chat.delta', 'chat.thought', 'chat.loaded', 'chat.done', 'chat.error', 'chat.queued', 'engine.status', 'workshop.pushed']);

export interface ParticipantEndpointOptions {
  host: Host;
  chat: ChatService;
  participants: Participants;
  participant: Participant;
  me: () => WorkshopMe;
}

export function participantEndpoint(options: ParticipantEndpointOptions): ContractEndpoint {
  const { host, chat, participants, participant } = options;
  const listeners = new Set<(event: HostEvent) => void>();

  async function run(command: CommandName, input: unknown): Promise<unknown> {
    // Paths on the trainer's machine are none of the room's business.
    if (command === 'app.info') return { ...(await unwrap(host.call(command, input))), modelsDir: '', dataDir: '', participant: { name: participant.name } };
    if (SHARED_READS.has(command)) return unwrap(host.call(command, input));
    const parsed = commandSchemas[command].safeParse(input);
    if (!parsed.success) throw new EnclaveError('BAD_REQUEST', `invalid input for ${command}`);
    if (command === 'workshop.me') return options.me();
    if (command === 'chat.stop') {
      const { jobId } = parsed.data as CommandInput<'chat.stop'>;
      return participant.jobs.has(jobId) ? chat.stop(jobId) : { stopped: false };
    }
    if (command === 'chat.generate') return generate(parsed.data as CommandInput<'chat.generate'>);
    const own = (participant.conversations.handlers as Record<string, ((input: unknown) => unknown) | undefined>)[command];
    if (own !== undefined) return own(parsed.data);
    throw new EnclaveError('FORBIDDEN', `${command} is not available to workshop participants`);
  }

  async function generate(input: CommandInput<'chat.generate'>): Promise<unknown> {
    participants.assertMayAsk(participant);
    const { conversation, messages, ...rest } = input;
    // Refused attempts (BUSY while their answer runs, an unknown model) throw here and do not count.
    const started =
      conversation !== undefined
        ? await participant.conversations.chat.generate({ ...rest, conversation }, follow)
        : await chat.generate({ ...rest, messages: requireMessages(messages) }, follow, participant.caller);
    participants.countAsked(participant);
    return started;
  }

  /** Their job is theirs to stop and to watch from the start; its end counts in the console. */
  function follow(jobId: string): JobObserver {
    participant.jobs.add(jobId);
    return {
      onDelta: () => undefined,
      onDone: (_text, stats) => {
        participant.jobs.delete(jobId);
        participant.answers++;
        participant.tokens += stats.tokens;
      },
      onError: () => participant.jobs.delete(jobId),
    };
  }

  const unsubscribe = host.onEvent((event) => {
    if (!PARTICIPANT_EVENTS.has(event.event)) return;
    for (const listener of listeners) listener(event);
  });

  return {
    async call(command: unknown, input: unknown): Promise<CallOutcome> {
      try {
        if (!isCommandName(command)) throw new EnclaveError('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(String(command)).slice(0, 100)}`);
        return { ok: true, result: await run(command, input) };
      } catch (error) {
        return { ok: false, error: toErrorPayload(error) };
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) unsubscribe();
      };
    },
  };
}

async function unwrap(outcome: Promise<CallOutcome>): Promise<Record<string, unknown>> {
  const settled = await outcome;
  if (!settled.ok) throw new EnclaveError(settled.error.code, settled.error.message, settled.error.details);
  return settled.result as Record<string, unknown>;
}
