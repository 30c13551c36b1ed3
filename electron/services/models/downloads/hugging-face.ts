/**
 * The Hugging Face side of a download: where a file of a repository is fetched from, and the
 * sha256 and size the hub publishes for it.
 */
import { EnclaveError } from '#shared/errors.ts';
import type { EgressGate } from '../../privacy/egress.ts';
import { errorMessage, HttpStatusError } from './retry.ts';

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

export interface PublishedDigest {
  sha256: string;
  sizeBytes: number | null;
}

/** The resolve URL of `fileName`, a part that sits in the same folder of the repository as `file`. */
export function resolveUrl(endpoint: string, repo: string, file: string, fileName: string): string {
  const directory = file.includes('/') ? `${file.slice(0, file.lastIndexOf('/'))}/` : '';
  const path = `${directory}${fileName}`.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repo}/resolve/main/${path}`;
}

/** The sha256 and size on a resolve response (X-Linked-Etag, X-Linked-Size); sha256 null when none is published. */
export function parseDigest(headers: Headers): { sha256: string | null; sizeBytes: number | null } {
  const etag = headers.get('x-linked-etag') ?? headers.get('etag') ?? '';
  const sha256 = /^(?:W\/)?"?([0-9a-f]{64})"?$/i.exec(etag.trim())?.[1]?.toLowerCase() ?? null;
  const size = Number(headers.get('x-linked-size') ?? headers.get('content-length'));
  return { sha256, sizeBytes: Number.isFinite(size) && size > 0 ? size : null };
}

/** Asks the hub for a part's digest with a HEAD that does not follow the redirect to the storage host. */
export async function fetchDigest(url: string, fileName: string, gate: Pick<EgressGate, 'authorize' | 'checkTarget'>, signal: AbortSignal): Promise<PublishedDigest> {
  const handle = gate.authorize({ url, purpose: 'model-metadata', userInitiated: true });
  try {
    const response = await fetch(url, { method: 'HEAD', redirect: 'manual', signal });
    if (response.status >= 400) throw new HttpStatusError(response.status, url);
    const location = response.headers.get('location');
    // ipull follows this redirect itself, retrying a refused connection for minutes: check it first.
    if (location !== null) gate.checkTarget({ url: new URL(location, url).href, purpose: 'model-download', userInitiated: true });
    const { sha256, sizeBytes } = parseDigest(response.headers);
    if (sha256 === null) {
      throw new EnclaveError('CHECKSUM_UNAVAILABLE', `the server publishes no sha256 for ${fileName}`, { file: fileName });
    }
    handle.finish('completed');
    return { sha256, sizeBytes };
  } catch (error) {
    handle.finish(signal.aborted ? 'cancelled' : 'failed', errorMessage(error));
    throw error;
  }
}
