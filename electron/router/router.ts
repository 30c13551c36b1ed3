/**
 * The one router of the contract. Every transport (the desktop app's IPC, the web host's
 * WebSocket, a workshop participant's connection, tests) calls a router: it validates the input
 * with the command's schema, dispatches to the feature's handler and maps every failure to a
 * typed error. Features own their handlers (electron/services/<feature>/handlers.ts); the host
 * merges them.
 */
import { commandSchemas, isCommandName, type CommandInput, type CommandName, type CommandResult } from '#shared/contract.ts';
import type { CallOutcome } from '#shared/endpoint.ts';
import { EnclaveError, toErrorPayload } from '#shared/errors.ts';

export type Handler<C extends CommandName> = (input: CommandInput<C>) => Promise<CommandResult<C>> | CommandResult<C>;

/** One handler for each command of a slice. */
export type Handlers<C extends CommandName> = { [K in C]: Handler<K> };

export interface Router {
  /** Validates and runs one command. Never throws: every failure is a typed error. */
  call(command: unknown, input: unknown): Promise<CallOutcome>;
}

export interface RouterOptions {
  /** What a command with no handler here answers (a workshop participant's router has only some). */
  unavailable?: (command: CommandName) => EnclaveError;
}

export function createRouter(handlers: Partial<Handlers<CommandName>>, options: RouterOptions = {}): Router {
  const unavailable = options.unavailable ?? ((command) => new EnclaveError('FORBIDDEN', `${command} is not available here`));
  async function run<C extends CommandName>(command: C, input: unknown): Promise<CommandResult<C>> {
    const handler = handlers[command] as Handler<C> | undefined;
    if (handler === undefined) throw unavailable(command);
    const parsed = commandSchemas[command].safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
      throw new EnclaveError('BAD_REQUEST', `invalid input for ${command}`, { issues });
    }
    return handler(parsed.data as CommandInput<C>);
  }
  return {
    async call(command, input) {
      try {
        if (!isCommandName(command)) throw new EnclaveError('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(String(command)).slice(0, 100)}`);
        return { ok: true, result: await run(command, input) };
      } catch (error) {
        return { ok: false, error: toErrorPayload(error) };
      }
    },
  };
}
