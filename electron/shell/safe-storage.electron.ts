/** Servers' API keys sealed by the operating system's keychain (Electron's safeStorage), where it offers one. */
import { safeStorage } from 'electron';
import { FILE_SECRET_BOX, type SecretBox } from '../services/servers/secret-box.ts';

/** Call after the app is ready. Without OS encryption (a Linux session with no keyring), keys stay in the settings file, readable only by the user. */
export function safeStorageSecretBox(): SecretBox {
  if (!safeStorage.isEncryptionAvailable()) return FILE_SECRET_BOX;
  return {
    kind: 'encrypted',
    seal: (secret) => safeStorage.encryptString(secret).toString('base64'),
    open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
