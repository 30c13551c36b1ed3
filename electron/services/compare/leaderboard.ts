/**
 * The local leaderboard: Elo ratings replayed from every vote in the order they were cast. A vote
 * for a winner counts as a win over each other column; a tie or "all bad" as a draw between each pair.
 */
import type { Leaderboard, LeaderboardRow, Vote } from '#shared/compare.ts';

export const ELO_START = 1000;
export const ELO_K = 32;

export interface CastVote {
  vote: Vote;
  /** The model of each column, by position. */
  modelIds: string[];
  category: string | null;
}

export function leaderboard(votes: readonly CastVote[]): Leaderboard {
  const categories = [...new Set(votes.map((cast) => cast.category).filter((category): category is string => category !== null))].sort();
  return {
    overall: ratings(votes),
    byCategory: categories.map((category) => ({ category, rows: ratings(votes.filter((cast) => cast.category === category)) })),
  };
}

function ratings(votes: readonly CastVote[]): LeaderboardRow[] {
  const rows = new Map<string, LeaderboardRow>();
  const row = (modelId: string): LeaderboardRow => {
    let found = rows.get(modelId);
    if (found === undefined) {
      found = { modelId, rating: ELO_START, wins: 0, losses: 0, ties: 0 };
      rows.set(modelId, found);
    }
    return found;
  };
  for (const { vote, modelIds } of votes) {
    const players = modelIds.map(row);
    if ('winner' in vote) {
      const winner = players[vote.winner];
      if (winner === undefined) continue;
      for (const other of players) if (other !== winner) play(winner, other, 1);
    } else {
      for (let i = 0; i < players.length; i++) for (let j = i + 1; j < players.length; j++) play(players[i] as LeaderboardRow, players[j] as LeaderboardRow, 0.5);
    }
  }
  return [...rows.values()].map((entry) => ({ ...entry, rating: Math.round(entry.rating) })).sort((a, b) => b.rating - a.rating || a.modelId.localeCompare(b.modelId));
}

/** One Elo game; `score` is a's result (1 win, 0.5 draw). */
function play(a: LeaderboardRow, b: LeaderboardRow, score: 1 | 0.5): void {
  const expectedA = 1 / (1 + 10 ** ((b.rating - a.rating) / 400));
  const delta = ELO_K * (score - expectedA);
  a.rating += delta;
  b.rating -= delta;
  if (score === 1) {
    a.wins++;
    b.losses++;
  } else {
    a.ties++;
    b.ties++;
  }
}
