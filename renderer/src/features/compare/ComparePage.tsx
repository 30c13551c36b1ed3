import { useCompareView } from './compare-store.ts';
import { LeaderboardPanel } from './LeaderboardPanel.tsx';
import { NewRunForm } from './NewRunForm.tsx';
import { ReplayPanel } from './ReplayPanel.tsx';
import { RunView } from './RunView.tsx';
import { SetsPanel } from './SetsPanel.tsx';

/** The comparison workbench (issue #5). */
export function ComparePage() {
  const view = useCompareView();
  return <div className="compare">{panelFor(view.panel, view.runId)}</div>;
}

function panelFor(panel: ReturnType<typeof useCompareView>['panel'], runId: string | null) {
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
