/**
 * An answer's markdown as the report's HTML, rendered like the chat does (CommonMark with GFM
 * tables, strikethrough and task lists) while staying a standalone, inert page: raw HTML is
 * escaped, and links, images and bare URLs stay text, so opening the report requests nothing.
 */
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

/** Constructs that would turn text into a live link or a fetched image. */
const REQUESTING_CONSTRUCTS = ['labelStartLink', 'labelStartImage', 'autolink', 'wwwAutolink', 'protocolAutolink', 'emailAutolink'];

export function answerHtml(markdown: string): string {
  return micromark(markdown, {
    allowDangerousHtml: false,
    extensions: [gfm(), { disable: { null: REQUESTING_CONSTRUCTS } }],
    htmlExtensions: [gfmHtml()],
  });
}
