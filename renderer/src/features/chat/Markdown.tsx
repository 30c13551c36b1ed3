/**
 * Model output as markdown (GFM tables, lists, code with highlighting), rendered inert: raw HTML
 * is shown as text, images become their alt text (nothing is fetched), and links go through
 * SafeLink (https to public hosts only, opened after the user confirms the full address).
 */
import { memo, useState } from 'react';
import { copyText } from '../../components/CopyButton.tsx';
import type { MouseEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import ReactMarkdown, { type Components, type Options } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';
import { SafeLink } from '../links/SafeLink.tsx';

const REMARK_PLUGINS: Options['remarkPlugins'] = [remarkGfm];
const REHYPE_PLUGINS: Options['rehypePlugins'] = [[rehypeHighlight, { detect: false }]];

const COMPONENTS: Components = {
  img: ({ alt }) => (
    <span className="md-image" data-testid="md-image">
      {alt !== undefined && alt !== '' ? `[${alt}]` : '[image]'}
    </span>
  ),
  // https links to public hosts open after the user confirms the full address; the rest stay text.
  a: ({ children, href }) => (
    <span className="md-link" data-testid="md-link">
      <SafeLink href={href}>{children}</SafeLink>
    </span>
  ),
  pre: ({ children }) => <CodeBlock>{children}</CodeBlock>,
};

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown" data-testid="markdown">
      <ReactMarkdown remarkPlugins={REMARK_PLUGINS} rehypePlugins={REHYPE_PLUGINS} components={COMPONENTS} skipHtml={false}>
        {text}
      </ReactMarkdown>
    </div>
  );
});

function CodeBlock({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  function copy(event: MouseEvent<HTMLButtonElement>) {
    const code = event.currentTarget.parentElement?.querySelector('code')?.textContent ?? '';
    void copyText(code).then((ok) => {
      setCopied(ok);
      if (ok) setTimeout(() => setCopied(false), 1500);
    });
  }
  return (
    <div className="code-block">
      <button type="button" className="code-copy button button-quiet" data-testid="copy-code" onClick={copy}>
        {copied ? t('messages.copied') : t('messages.copyCode')}
      </button>
      <pre>{children}</pre>
    </div>
  );
}
