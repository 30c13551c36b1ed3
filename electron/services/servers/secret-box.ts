/**
 * How a server's API key is kept at rest: a narrow port, so the host never imports `electron`.
 * The desktop shell provides one over Electron's safeStorage (the OS keychain encrypts); the web
 * host keeps keys as they are in its settings file, which only the user may read (mode 0600).
 */
export interface SecretBox {
  /** 'encrypted': sealed by the operating system; 'file': stored as is, protected by the file's permissions. */
  readonly kind: 'encrypted' | 'file';
  seal(secret: string): string;
  /** Throws when the sealed text cannot be opened here (sealed by another machine's keychain). */
  open(sealed: string): string;
}

export const FILE_SECRET_BOX: SecretBox = {
  kind: 'file',
  seal: (secret) => secret,
  open: (sealed) => sealed,
};
