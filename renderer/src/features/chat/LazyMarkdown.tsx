import { lazy, Suspense } from 'react';

const MarkdownView = lazy(async () => ({ default: (await import('./Markdown.tsx')).Markdown }));

/**
 * Model output as markdown (Markdown.tsx). The renderer behind it (react-markdown, GFM,
 * highlight.js) is a third of the page's script, so it loads when an answer is first shown, not
 * with the page; until then, a moment, the text shows as written.
 */
export function Markdown({ text }: { text: string }) {
  return (
    <Suspense fallback={<div className="markdown markdown-pending">{text}</div>}>
      <MarkdownView text={text} />
    </Suspense>
  );
}
