import { z } from 'zod';
import { DEFAULT_API_PORT } from './api.ts';
import { LIMITS } from './chat.ts';
import { isLoopbackHostname } from './loopback.ts';
import { userPortSchema } from './ports.ts';

/**
 * App settings kept by the host (electron-store in the Electron host, conf in the web host: the
 * same file format). Each feature adds its own fields here with a default.
 */
export const settingsSchema = z.object({
  /** No network at all, not even for downloads the user starts. ENCLAVE_OFFLINE=1 forces it on. */
  offline: z.boolean(),
  // Local API: off by default, on 127.0.0.1 only; an empty key means none is asked.
  apiEnabled: z.boolean(),
  apiPort: userPortSchema,
  apiKey: z.string().max(200),
  // Model library: where models come from, and how to get there.
  /** Hugging Face or a mirror of it (http only on loopback, for test servers). ENCLAVE_HF_ENDPOINT overrides it. */
  hfEndpoint: z.string().max(500).refine(isEndpointUrl, 'an https address (http only on 127.0.0.1)'),
  /** An http(s) proxy for downloads on company networks; '' uses HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  proxy: z
    .string()
    .max(500)
    .refine((value) => value === '' || isProxyUrl(value), 'an http:// or https:// proxy address'),
  /** The system prompt of a new conversation that sets none ('' for none); a conversation's own prompt wins. */
  defaultSystemPrompt: z.string().max(LIMITS.maxMessageChars),
  /** Speculative decoding by input lookup where it pays (docs/performance.md#speculative-decoding); false: never. */
  speculativeDecoding: z.boolean(),
  /** The library model (its id) that embeds the documents' passages for dense retrieval; '' for none (full text only). */
  documentsEmbeddingModel: z.string().max(1000),
});
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  offline: false,
  apiEnabled: false,
  apiPort: DEFAULT_API_PORT,
  apiKey: '',
  hfEndpoint: 'https://huggingface.co',
  proxy: '',
  defaultSystemPrompt: '',
  speculativeDecoding: true,
  documentsEmbeddingModel: '',
};

function isEndpointUrl(value: string): boolean {
  const url = URL.parse(value);
  if (url === null || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHostname(url.hostname));
}

function isProxyUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** Settings as the renderer sees them: the values, and which of them the environment forces. */
export interface SettingsView {
  values: Settings;
  /** Keys fixed by an environment variable; the UI shows them locked. */
  locked: (keyof Settings)[];
}

export const settingsCommandSchemas = {
  'settings.get': z.strictObject({}),
  'settings.update': settingsPatchSchema,
} as const;

export interface SettingsCommandResults {
  'settings.get': SettingsView;
  'settings.update': SettingsView;
}

export interface SettingsEventPayloads {
  'settings.changed': SettingsView;
}
