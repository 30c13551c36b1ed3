/** The trainer's workshop console. `workshop.me` answers participants only, through their own router. */
import { EnclaveError } from '#shared/errors.ts';
import type { workshopCommandSchemas } from '#shared/workshop.ts';
import type { Handlers } from '../../router/router.ts';
import { WORKSHOP_EXERCISES } from './exercises.ts';
import { lanInterfaces } from './lan.ts';
import type { Workshop } from './workshop.ts';

export function workshopHandlers(workshop: Workshop): Handlers<keyof typeof workshopCommandSchemas> {
  return {
    'workshop.status': () => workshop.status(),
    'workshop.interfaces': () => lanInterfaces(),
    'workshop.start': ({ address, port, modelIds, documents }) => workshop.start(address, port, modelIds, documents),
    'workshop.stop': () => workshop.stop(),
    'workshop.remove': ({ participantId }) => workshop.remove(participantId),
    'workshop.reset': () => workshop.reset(),
    'workshop.push': ({ text, title }) => workshop.push(text, title),
    'workshop.me': () => {
      throw new EnclaveError('FORBIDDEN', 'workshop.me answers workshop participants only');
    },
    'workshop.leave': () => {
      throw new EnclaveError('FORBIDDEN', 'workshop.leave answers workshop participants only');
    },
    'workshop.exercises': () => [...WORKSHOP_EXERCISES],
  };
}
