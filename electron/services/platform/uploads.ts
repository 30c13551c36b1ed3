/**
 * Files uploaded to the web host (POST /uploads), streamed to disk: a browser page cannot name a
 * path on the host, so it sends the file and then names the upload. Same-origin only, like the
 * WebSocket; an upload cut off midway is removed.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export const UPLOADS_DIR_NAME = 'uploads';
export const UPLOAD_PATH = '/uploads';

export function uploadsDirOf(dataDir: string): string {
  return join(dataDir, UPLOADS_DIR_NAME);
}

/** The file of an upload (the id is checked by the contract's schema). */
export function uploadPath(dataDir: string, uploadId: string): string {
  return join(uploadsDirOf(dataDir), uploadId);
}

/** Uploads left by an earlier run (a tab closed before its import) are removed at start. */
export function clearUploads(dataDir: string): void {
  rmSync(uploadsDirOf(dataDir), { recursive: true, force: true });
  mkdirSync(uploadsDirOf(dataDir), { recursive: true });
}

/** Answers POST /uploads with `{uploadId}`; true when the request was an upload. */
export function receiveUpload(req: IncomingMessage, res: ServerResponse, dataDir: string, sameOrigin: boolean): boolean {
  if (new URL(req.url ?? '/', 'http://enclave').pathname !== UPLOAD_PATH) return false;
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return true;
  }
  if (!sameOrigin) {
    res.writeHead(403).end();
    return true;
  }
  const uploadId = randomUUID();
  const path = uploadPath(dataDir, uploadId);
  mkdirSync(uploadsDirOf(dataDir), { recursive: true });
  pipeline(req, createWriteStream(path)).then(
    () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ uploadId })),
    () => {
      rmSync(path, { force: true });
      if (!res.headersSent) res.writeHead(400).end();
    },
  );
  return true;
}
