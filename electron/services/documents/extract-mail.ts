/**
 * An email (EML) read by postal-mime: its subject as the heading, then who sent it, to whom and
 * when, then its text (the HTML body through html-to-text when there is no text body), then the
 * names of its attachments, which are not read.
 */
import type { Address, Email } from 'postal-mime';
import { type Block, htmlBlocks, textBlocks, unreadable } from './extract-common.ts';

export async function readEml(bytes: Buffer, fileName: string): Promise<Block[]> {
  const { default: PostalMime } = await import('postal-mime');
  let email: Email;
  try {
    // postal-mime's own limits bound the headers (2 MB in all) and the parts' nesting.
    email = await PostalMime.parse(bytes, { attachmentEncoding: 'base64' });
  } catch (error) {
    throw unreadable('document-damaged', `${fileName}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const address = (entry: Address): string =>
    'group' in entry && Array.isArray(entry.group)
      ? entry.group.map(address).join(', ')
      : [entry.name, entry.address === undefined || entry.address === '' ? '' : `<${entry.address}>`].filter((part) => part !== '').join(' ');
  const header = [
    email.from === undefined ? null : `From: ${address(email.from)}`,
    email.to === undefined || email.to.length === 0 ? null : `To: ${email.to.map(address).join(', ')}`,
    email.cc === undefined || email.cc.length === 0 ? null : `Cc: ${email.cc.map(address).join(', ')}`,
    email.date === undefined ? null : `Date: ${email.date}`,
  ].filter((line) => line !== null);
  const blocks: Block[] = [];
  const subject = email.subject?.trim() ?? '';
  if (subject !== '') blocks.push({ page: null, level: 1, text: subject });
  if (header.length > 0) blocks.push({ page: null, level: 0, text: header.join('\n') });
  if (email.text !== undefined && email.text.trim() !== '') blocks.push(...textBlocks(email.text, null));
  else if (email.html !== undefined) blocks.push(...htmlBlocks(email.html));
  const attachments = email.attachments.map((attachment) => attachment.filename).filter((name) => name !== null && name !== '');
  if (attachments.length > 0) blocks.push({ page: null, level: 0, text: `Attachments: ${attachments.join(', ')}` });
  return blocks;
}
