/** Privacy's commands: the egress log, and links from untrusted text opened only once checked again. */
import { EnclaveError } from '#shared/errors.ts';
import { checkExternalLink } from '#shared/links.ts';
import { answerOrigin } from '#shared/servers.ts';
import type { AnswerOriginCount, privacyCommandSchemas } from '#shared/privacy.ts';
import type { Handlers } from '../../router/router.ts';
import type { EgressGate } from './egress.ts';

/** The desktop app's shell.openExternal; the web host has none (the user's browser opens links). */
export type OpenExternal = (url: string) => Promise<void>;

/** The conversations' answers counted by model (`ConversationService.answersByModel`). */
export type AnswersByModel = () => { modelId: string | null; answers: number }[];

export function privacyHandlers(egress: EgressGate, openExternal: OpenExternal | undefined, answersByModel: AnswersByModel): Handlers<keyof typeof privacyCommandSchemas> {
  return {
    'privacy.egressLog': () => egress.entries(),
    'privacy.answerOrigins': () => countOrigins(answersByModel()),
    'links.open': async ({ url }) => {
      const check = checkExternalLink(url);
      if (!check.safe) throw new EnclaveError('LINK_REFUSED', `link refused: ${check.reason}`, { reason: check.reason });
      if (openExternal === undefined) return { opened: false };
      await openExternal(check.href);
      return { opened: true };
    },
  };
}

/** Answers without a model (imported ones) were not computed by Enclave and are left out. */
export function countOrigins(byModel: { modelId: string | null; answers: number }[]): AnswerOriginCount[] {
  let local = 0;
  const servers = new Map<string, AnswerOriginCount>();
  for (const { modelId, answers } of byModel) {
    if (modelId === null) continue;
    const origin = answerOrigin(modelId);
    if (origin.where === 'local') {
      local += answers;
      continue;
    }
    const counted = servers.get(origin.baseUrl) ?? { ...origin, answers: 0 };
    counted.answers += answers;
    servers.set(origin.baseUrl, counted);
  }
  const byServer = [...servers.values()].sort((a, b) => b.answers - a.answers);
  return local === 0 ? byServer : [{ where: 'local', answers: local }, ...byServer];
}
