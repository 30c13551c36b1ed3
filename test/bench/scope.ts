/**
 * How much `npm run bench` measures. The default run is the lighter one (under 15 minutes on
 * 2 cores): the models and thread counts the goals name, each figure from BENCH_RUNS
 * runs. `npm run bench -- --full` (or BENCH_FULL=1) adds every bench model, the thread sweep,
 * prompt speed by batch size, UV_THREADPOOL_SIZE and the larger rooms.
 */
export const FULL_BENCH = process.argv.includes('--full') || process.env.BENCH_FULL === '1';
