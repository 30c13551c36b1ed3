/**
 * The main process's side of the IPC bridge, without Electron: a call is passed to the Host only
 * when it comes from the app's own page in the window's top frame.
 */
import type { ErrorPayload } from '#shared/errors.ts';
import type { CallOutcome } from '#shared/endpoint.ts';
import { isAppUrl } from './security.ts';

/** What main.ts reads from `event.senderFrame` (null once the frame is gone). */
export interface IpcSender {
  url: string;
  isMainFrame: boolean;
}

export interface CallTarget {
  call(command: unknown, input: unknown): Promise<CallOutcome>;
}

/** Why a sender is refused, or null when it is the app's top frame. */
export function senderProblem(sender: IpcSender | null, appOrigin: string): string | null {
  if (sender === null) return 'the calling frame is gone';
  if (!sender.isMainFrame) return 'calls are accepted from the top frame only';
  if (!isAppUrl(sender.url, appOrigin)) return 'calls are accepted from the app page only';
  return null;
}

/** Runs the call for a trusted sender; answers a typed error for any other. Never throws. */
export async function callFromRenderer(target: CallTarget, sender: IpcSender | null, appOrigin: string, command: unknown, input: unknown): Promise<CallOutcome> {
  const problem = senderProblem(sender, appOrigin);
  if (problem !== null) {
    const error: ErrorPayload = { code: 'FORBIDDEN', message: `refused: ${problem}`, details: { reason: 'untrusted-sender' } };
    return { ok: false, error };
  }
  return target.call(command, input);
}
