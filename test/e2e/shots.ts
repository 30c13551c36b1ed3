/** Where a browser test saves its screenshots: /tmp/shots-<name>, or under ENCLAVE_SHOTS_DIR. */
import { join } from 'node:path';

export function shotsDir(name: string): string {
  return join(process.env.ENCLAVE_SHOTS_DIR ?? '/tmp', `shots-${name}`);
}
