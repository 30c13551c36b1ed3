/** Two bigram models with different known answers, for the comparison workbench's tests. */
import { join } from 'node:path';
import { writeBigramModel } from '../fixtures/gguf/index.ts';

export const ALPHA = { file: 'compare-alpha.gguf', script: ['Alpha', ' says', ' hello', '.'] } as const;
export const BRAVO = { file: 'compare-bravo.gguf', script: ['Bravo', ' replies', ' with', ' care', '!'] } as const;
export const ALPHA_REPLY = ALPHA.script.join('');
export const BRAVO_REPLY = BRAVO.script.join('');

export async function writeCompareModels(dir: string): Promise<void> {
  await writeBigramModel(join(dir, ALPHA.file), { name: 'Compare Alpha', script: [...ALPHA.script], loop: false });
  await writeBigramModel(join(dir, BRAVO.file), { name: 'Compare Bravo', script: [...BRAVO.script], loop: false });
}
