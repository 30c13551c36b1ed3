/** Reading what test/support/record-connections.ts recorded. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The module to pass to `node --import`. */
export const CONNECTION_RECORDER = join(import.meta.dirname, 'record-connections.ts');

export type ConnectionRecord =
  | { pid: number; kind: 'process'; argv: string[] }
  | { pid: number; kind: 'tcp'; address: string; port: number }
  | { pid: number; kind: 'dns'; host: string }
  | { pid: number; kind: 'ipc'; path: string }
  | { pid: number; kind: 'udp'; address: string; port: number };

export async function readConnectionLog(file: string): Promise<ConnectionRecord[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ConnectionRecord);
}

/** Whether a recorded connection stays on this machine. */
export function isLoopback(entry: ConnectionRecord): boolean {
  switch (entry.kind) {
    case 'process':
    case 'ipc':
      return true;
    case 'dns':
      return entry.host === 'localhost';
    case 'tcp':
    case 'udp':
      return /^(127\.|::1$|::ffff:127\.)/.test(entry.address) || entry.address === 'localhost';
    default:
      return entry satisfies never;
  }
}
