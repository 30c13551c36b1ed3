/** The web host from source in a child process, and a small WebSocket client for it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { ServerFrame } from '#shared/contract.ts';

const ENTRY = join(import.meta.dirname, 'web-host-from-source.ts');

export interface WebHostProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function startWebHostProcess(options: { env: NodeJS.ProcessEnv; execArgv?: string[]; cwd?: string; staticDir?: string }): Promise<WebHostProcess> {
  const args = [...(options.execArgv ?? []), ENTRY, ...(options.staticDir === undefined ? [] : ['--static-dir', options.staticDir])];
  return spawnWebHost(args, options);
}

/** Runs `node <args>` (a web host entry) and resolves once it prints the address it serves. */
export async function spawnWebHost(args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string | undefined }): Promise<WebHostProcess> {
  const child = spawn(process.execPath, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Enclave web host: (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the web host exited with code ${code}: ${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export type ResultFrame = Extract<ServerFrame, { type: 'result' }>;

/** A WebSocket client speaking the contract's frames; events are collected in `events`. */
export class ContractClient {
  readonly events: Extract<ServerFrame, { type: 'event' }>[] = [];
  private readonly socket: WebSocket;
  private readonly pending = new Map<number, (frame: ResultFrame) => void>();
  private readonly eventWaiters = new Set<() => void>();
  private readonly anyResult: ((frame: ResultFrame) => void)[] = [];
  private nextId = 1;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (frame.type === 'event') {
        this.events.push(frame);
        for (const waiter of this.eventWaiters) waiter();
        return;
      }
      const waiter = this.pending.get(frame.id) ?? this.anyResult.shift();
      this.pending.delete(frame.id);
      waiter?.(frame);
    });
  }

  /** `headers`: e.g. a workshop participant's cookie. */
  static async connect(url: string, headers: Record<string, string> = {}): Promise<ContractClient> {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new ContractClient(socket);
  }

  call(command: string, input: unknown): Promise<ResultFrame> {
    return this.sendRaw(JSON.stringify({ type: 'call', id: this.nextId, command, input }), this.nextId++);
  }

  /** Sends any text; resolves with the result frame carrying `id`. */
  private sendRaw(text: string, id: number): Promise<ResultFrame> {
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.send(text);
    });
  }

  /** Sends any text, even a malformed frame (answered with id -1); resolves with the next unclaimed result. One at a time. */
  exchange(text: string | Buffer): Promise<ResultFrame> {
    return new Promise((resolve) => {
      this.anyResult.push(resolve);
      this.socket.send(text);
    });
  }

  /** Resolves when the socket is closed, with the close code. */
  closed(): Promise<number> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve(1006);
    return new Promise((resolve) => this.socket.once('close', (code: number) => resolve(code)));
  }

  waitForEvent(match: (frame: Extract<ServerFrame, { type: 'event' }>) => boolean, timeoutMs = 30_000): Promise<Extract<ServerFrame, { type: 'event' }>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.find(match);
        if (found === undefined) return false;
        clearTimeout(timer);
        this.eventWaiters.delete(waiter);
        resolve(found);
        return true;
      };
      const waiter = (): void => void check();
      const timer = setTimeout(() => {
        this.eventWaiters.delete(waiter);
        reject(new Error('no matching event in time'));
      }, timeoutMs);
      this.eventWaiters.add(waiter);
      check();
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.socket.close();
  }
}
