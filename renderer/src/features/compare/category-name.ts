import { useTranslation } from 'react-i18next';
import { isShippedCategory } from '#shared/compare.ts';

/** A prompt category in the interface's language: the shipped sets' categories are translated, the user's own are shown as written. */
export function useCategoryName(): (category: string) => string {
  const { t } = useTranslation();
  return (category) => (isShippedCategory(category) ? t(`compare.categoryName.${category}`) : category);
}
