/** Privacy's commands: the egress log, and links from untrusted text opened only once checked again. */
import { EnclaveError } from '#shared/errors.ts';
import { checkExternalLink } from '#shared/links.ts';
import type { privacyCommandSchemas } from '#shared/privacy.ts';
import type { Handlers } from '../../router/router.ts';
import type { EgressGate } from './egress.ts';

/** The desktop app's shell.openExternal; the web host has none (the user's browser opens links). */
export type OpenExternal = (url: string) => Promise<void>;

export function privacyHandlers(egress: EgressGate, openExternal: OpenExternal | undefined): Handlers<keyof typeof privacyCommandSchemas> {
  return {
    'privacy.egressLog': () => egress.entries(),
    'links.open': async ({ url }) => {
      const check = checkExternalLink(url);
      if (!check.safe) throw new EnclaveError('LINK_REFUSED', `link refused: ${check.reason}`, { reason: check.reason });
      if (openExternal === undefined) return { opened: false };
      await openExternal(check.href);
      return { opened: true };
    },
  };
}
