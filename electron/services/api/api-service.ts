/**
 * Keeps the local API server in step with the settings (on/off, port) and counts its requests for
 * the settings panel. Off by default; listens on 127.0.0.1 only.
 */
import { EMPTY_API_COUNTS, type ApiRequestCounts, type ApiStatus } from '#shared/api.ts';
import { toErrorPayload, type ErrorPayload } from '#shared/errors.ts';
import type { ModelInfo } from '#shared/models.ts';
import type { Settings } from '#shared/settings.ts';
import type { ChatService } from '../chat/chat-service.ts';
import { startApiServer, type ApiEndpoint, type ApiServer } from './api-server.ts';

/** Live counts are pushed at most this often. */
const STATUS_EVERY_MS = 500;

export interface ApiServiceOptions {
  chat: ChatService;
  models: () => ModelInfo[];
  settings: () => Settings;
  emit: (status: ApiStatus) => void;
}

export class ApiService {
  private server: ApiServer | null = null;
  private failure: ErrorPayload | null = null;
  private counts: ApiRequestCounts = { ...EMPTY_API_COUNTS };
  /** Settings changes apply one at a time, in order. */
  private applying: Promise<void> = Promise.resolve();
  private statusTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly options: ApiServiceOptions;

  constructor(options: ApiServiceOptions) {
    this.options = options;
  }

  status(): ApiStatus {
    const { apiEnabled, apiPort, apiKey } = this.options.settings();
    const port = this.server?.port ?? apiPort;
    return {
      state: this.server !== null ? 'listening' : this.failure !== null ? 'failed' : 'off',
      url: this.server === null ? null : `http://127.0.0.1:${port}/v1`,
      port,
      keyRequired: apiKey !== '',
      error: apiEnabled ? this.failure : null,
      counts: { ...this.counts },
    };
  }

  /** Starts, restarts (new port) or stops the server to match the settings. */
  apply(): Promise<void> {
    this.applying = this.applying.then(() => this.reconcile());
    return this.applying;
  }

  async close(): Promise<void> {
    await this.applying;
    if (this.statusTimer !== null) clearTimeout(this.statusTimer);
    await this.server?.close();
    this.server = null;
  }

  private async reconcile(): Promise<void> {
    const { apiEnabled, apiPort } = this.options.settings();
    if (this.server !== null && apiEnabled && this.server.port === apiPort) return;
    if (this.server !== null) {
      await this.server.close();
      this.server = null;
    }
    this.failure = null;
    if (apiEnabled) {
      try {
        this.counts = { ...EMPTY_API_COUNTS };
        this.server = await startApiServer({
          port: apiPort,
          chat: this.options.chat,
          models: this.options.models,
          apiKey: () => this.options.settings().apiKey,
          onRequest: (endpoint) => this.count(endpoint),
          onSettled: (ok) => this.settle(ok),
        });
      } catch (error) {
        this.failure = toErrorPayload(error);
      }
    }
    this.options.emit(this.status());
  }

  private count(endpoint: ApiEndpoint): void {
    this.counts[endpoint]++;
    this.counts.active++;
    this.announce();
  }

  private settle(ok: boolean): void {
    this.counts.active--;
    if (!ok) this.counts.errors++;
    this.announce();
  }

  private announce(): void {
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = null;
      this.options.emit(this.status());
    }, STATUS_EVERY_MS);
  }
}
