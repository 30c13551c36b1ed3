/** A file sent to the web host's upload endpoint, streamed by the browser from disk, with its progress. */
import { EnclaveError } from '#shared/errors.ts';

export const UPLOAD_URL = '/uploads';

export function uploadFile(file: File, onProgress: (sentBytes: number) => void, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    // XMLHttpRequest, not fetch: only it reports an upload's progress.
    const request = new XMLHttpRequest();
    request.open('POST', UPLOAD_URL);
    request.responseType = 'json';
    request.upload.addEventListener('progress', (event) => onProgress(event.loaded));
    request.addEventListener('load', () => {
      const uploadId = (request.response as { uploadId?: unknown } | null)?.uploadId;
      if (request.status === 200 && typeof uploadId === 'string') resolve(uploadId);
      else reject(new EnclaveError('INTERNAL', `the upload failed (HTTP ${request.status})`));
    });
    request.addEventListener('error', () => reject(new EnclaveError('INTERNAL', 'the upload failed: the connection to the host was lost')));
    request.addEventListener('abort', () => reject(new DOMException('upload cancelled', 'AbortError')));
    signal.addEventListener('abort', () => request.abort(), { once: true });
    request.send(file);
  });
}
