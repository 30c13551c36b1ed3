import type { ComparePanel } from '../../state/slices/compare.ts';
import { useAppSelector } from '../../state/react.tsx';
import { LeaderboardPanel } from './LeaderboardPanel.tsx';
import { NewRunForm } from './NewRunForm.tsx';
import { ReplayPanel } from './ReplayPanel.tsx';
import { RunView } from './RunView.tsx';
import { SetsPanel } from './SetsPanel.tsx';
import './compare.css';

/** The comparison workbench. */
export function ComparePage() {
  const panel = useAppSelector((s) => s.compare.panel);
  const runId = useAppSelector((s) => s.compare.runId);
  return <div className="compare">{panelFor(panel, runId)}</div>;
}

function panelFor(panel: ComparePanel, runId: string | null) {
  switch (panel) {
    case 'new':
      return <NewRunForm />;
    case 'run':
      return runId === null ? <NewRunForm /> : <RunView key={runId} runId={runId} />;
    case 'sets':
      return <SetsPanel />;
    case 'leaderboard':
      return <LeaderboardPanel />;
    case 'replay':
      return <ReplayPanel />;
    default:
      throw new Error(`unknown panel ${String(panel satisfies never)}`);
  }
}
