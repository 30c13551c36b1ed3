/**
 * The servers the user added, kept under the `servers` key of the settings file (outside the
 * settings the renderer reads, so keys never reach it). Each entry is validated on the way out:
 * a hand-edited bad one is skipped, the others still count.
 */
import { z } from 'zod';
import type { SettingsBackend } from '../settings/settings.ts';

const storedServerSchema = z.object({
  baseUrl: z.string(),
  apiKey: z.object({ sealedBy: z.enum(['encrypted', 'file']), value: z.string() }).optional(),
  caCertificate: z.string().optional(),
  confirmedPublic: z.boolean().optional(),
});
export type StoredServer = z.infer<typeof storedServerSchema>;

const SERVERS_KEY = 'servers';

export class ServerStore {
  private readonly backend: SettingsBackend;

  constructor(backend: SettingsBackend) {
    this.backend = backend;
  }

  list(): StoredServer[] {
    const stored = this.backend.store[SERVERS_KEY];
    if (!Array.isArray(stored)) return [];
    return stored.flatMap((entry: unknown) => {
      const parsed = storedServerSchema.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
  }

  save(servers: readonly StoredServer[]): void {
    this.backend.set({ [SERVERS_KEY]: servers });
  }
}
