/**
 * The local leaderboard: Elo ratings replayed from every vote in the order they were cast. A vote
 * for a winner counts as a win over each other column; a tie or "all bad" as a draw between each pair.
 */
import type { Leaderboard, LeaderboardRow, LeaderboardVerdict, ShareInterval, Vote } from '#shared/compare.ts';

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
  const overall = ratings(votes);
  return {
    overall,
    verdict: verdict(overall, votes.length),
    byCategory: categories.map((category) => ({ category, rows: ratings(votes.filter((cast) => cast.category === category)) })),
  };
}

function ratings(votes: readonly CastVote[]): LeaderboardRow[] {
  const rows = new Map<string, LeaderboardRow>();
  const row = (modelId: string): LeaderboardRow => {
    let found = rows.get(modelId);
    if (found === undefined) {
      found = { modelId, rating: ELO_START, votes: 0, wins: 0, losses: 0, ties: 0, share: { value: 0, low: 0, high: 0 } };
      rows.set(modelId, found);
    }
    return found;
  };
  for (const { vote, modelIds } of votes) {
    const players = modelIds.map(row);
    for (const player of players) player.votes++;
    if ('winner' in vote) {
      const winner = players[vote.winner];
      if (winner === undefined) continue;
      for (const other of players) if (other !== winner) play(winner, other, 1);
    } else {
      for (let i = 0; i < players.length; i++) for (let j = i + 1; j < players.length; j++) play(players[i] as LeaderboardRow, players[j] as LeaderboardRow, 0.5);
    }
  }
  return [...rows.values()]
    .map((entry) => ({ ...entry, rating: Math.round(entry.rating), share: wilson(entry.wins + entry.ties / 2, entry.wins + entry.losses + entry.ties) }))
    .sort((a, b) => b.rating - a.rating || a.modelId.localeCompare(b.modelId));
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

function verdict(rows: readonly LeaderboardRow[], votes: number): LeaderboardVerdict | null {
  const [leader, runnerUp] = rows;
  if (leader === undefined || runnerUp === undefined) return null;
  return { leader: leader.modelId, runnerUp: runnerUp.modelId, margin: leader.rating - runnerUp.rating, votes, share: leader.share, clear: leader.share.low > 0.5 };
}

const Z95 = 1.959964;

/** The Wilson score interval at 95 % of `points` out of `games` (a draw is half a point). */
export function wilson(points: number, games: number): ShareInterval {
  if (games === 0) return { value: 0, low: 0, high: 1 };
  const p = points / games;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * games)) / (1 + z2 / games);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / games + z2 / (4 * games * games))) / (1 + z2 / games);
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
