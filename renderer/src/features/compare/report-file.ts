/** Offers a report the host saved: the web host also hands it to the browser as a download. */
import type { ReportFile } from '#shared/compare.ts';
import { saveFile } from '../chat/transfer.ts';

export function offerReport(file: ReportFile, host: 'electron' | 'web'): void {
  if (host === 'web') saveFile(file);
}
