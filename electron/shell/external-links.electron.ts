/** Opens a link from model output in the system browser, after checking it again here in main. */
import { shell } from 'electron';
import { EnclaveError } from '#shared/errors.ts';
import { checkExternalLink } from '#shared/links.ts';

export async function openExternalLink(url: string): Promise<void> {
  const check = checkExternalLink(url);
  if (!check.safe) throw new EnclaveError('LINK_REFUSED', `link refused: ${check.reason}`, { reason: check.reason });
  await shell.openExternal(check.href, { activate: true });
}
