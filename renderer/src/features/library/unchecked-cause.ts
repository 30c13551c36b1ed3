/** Why the fit check could not read a model, in the words of the Models page. */
export type UncheckedCause = 'offline' | 'noNetwork' | 'hostFailed';

export function uncheckedCause(code: string): UncheckedCause {
  if (code === 'OFFLINE') return 'offline';
  if (code === 'NETWORK_UNREACHABLE') return 'noNetwork';
  return 'hostFailed';
}
