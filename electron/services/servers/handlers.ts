/** The servers' commands. */
import type { serversCommandSchemas } from '#shared/servers.ts';
import type { Handlers } from '../../router/router.ts';
import type { ServersService } from './servers-service.ts';

export function serversHandlers(servers: ServersService): Handlers<keyof typeof serversCommandSchemas> {
  return {
    'servers.list': () => servers.list(),
    'servers.add': (input) => servers.add(input),
    'servers.remove': (input) => {
      servers.remove(input.id);
      return { removed: true };
    },
    'servers.test': (input) => servers.test(input.id),
  };
}
