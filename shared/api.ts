/** Local OpenAI-compatible API: what the settings panel shows of it. */
import type { ErrorPayload } from './errors.ts';
import { z } from 'zod';

export const DEFAULT_API_PORT = 5171;

/** Requests served, by endpoint, since the server started. */
export interface ApiRequestCounts {
  models: number;
  chatCompletions: number;
  completions: number;
  /** Answered with an error (4xx or 5xx). */
  errors: number;
  /** Being answered now, or waiting for the engine. */
  active: number;
}

export interface ApiStatus {
  state: 'off' | 'listening' | 'failed';
  /** The base URL clients use (`http://127.0.0.1:<port>/v1`), when listening. */
  url: string | null;
  port: number;
  keyRequired: boolean;
  /** Why it could not listen (PORT_IN_USE, LISTEN_FAILED), when failed. */
  error: ErrorPayload | null;
  counts: ApiRequestCounts;
}

export const EMPTY_API_COUNTS: ApiRequestCounts = { models: 0, chatCompletions: 0, completions: 0, errors: 0, active: 0 };

/** The local OpenAI-compatible API: switched on and configured through settings.update. */
export const apiCommandSchemas = {
  'api.status': z.strictObject({}),
} as const;

export interface ApiCommandResults {
  'api.status': ApiStatus;
}

export interface ApiEventPayloads {
  /** The API server's state and live request counts, at most about twice a second. */
  'api.status': ApiStatus;
}
