import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** The clipboard, when the page may use it. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Copies a text and says so for a moment ("Copied"). */
export function CopyButton({ text, testId, className = 'button button-quiet' }: { text: string; testId: string; className?: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className={className}
      data-testid={testId}
      onClick={() =>
        void copyText(text).then((ok) => {
          setCopied(ok);
          if (ok) setTimeout(() => setCopied(false), 1500);
        })
      }
    >
      {copied ? t('messages.copied') : t('messages.copy')}
    </button>
  );
}
