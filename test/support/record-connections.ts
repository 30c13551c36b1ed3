/**
 * Loaded with `node --import` before anything else in a process (and passed on to forked children
 * through execArgv): appends every outbound connection attempt the process makes to the JSONL file
 * named by ENCLAVE_CONNECTION_LOG. TCP connects (net, http, fetch/undici, ws all go through
 * net.Socket) are seen on the 'net.client.socket' diagnostics channel; UDP sends by wrapping dgram.
 */
import { appendFileSync } from 'node:fs';
import { subscribe } from 'node:diagnostics_channel';
import dgram from 'node:dgram';
import type { Socket } from 'node:net';
import type { ConnectionRecord } from './connection-log.ts';

const logFile = process.env.ENCLAVE_CONNECTION_LOG;

function record(entry: ConnectionRecord): void {
  if (logFile !== undefined) appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
}

record({ pid: process.pid, kind: 'process', argv: process.argv.slice(1) });

subscribe('net.client.socket', (message) => {
  const socket = (message as { socket: Socket }).socket;
  socket.on('lookup', (_error: Error | null, _address: string, _family: number | string, host: string) => record({ pid: process.pid, kind: 'dns', host }));
  socket.on('connectionAttempt', (address: string, port: number) => record({ pid: process.pid, kind: 'tcp', address, port }));
  socket.once('connect', () => {
    // A Unix socket or named pipe has no address; a TCP connect was recorded as an attempt already.
    if (socket.remoteAddress === undefined) record({ pid: process.pid, kind: 'ipc', path: String((socket as { _pipeName?: string })._pipeName ?? '') });
  });
});

const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
  // send(msg, [offset, length,] port, address, callback): the address follows the port.
  const portIndex = args.findIndex((arg, index) => index > 0 && typeof arg === 'number' && typeof args[index + 1] === 'string');
  if (portIndex > 0) record({ pid: process.pid, kind: 'udp', address: args[portIndex + 1] as string, port: args[portIndex] as number });
  return (send as (...a: unknown[]) => void).apply(this, args);
} as typeof send;
