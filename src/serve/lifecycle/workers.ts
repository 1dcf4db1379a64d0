/**
 * In the primary process of `serve --workers N`: forks N servers sharing the port, replaces one that
 * dies, and on SIGTERM or SIGINT stops them all (each drains and flushes) before exiting. Returns false
 * in a worker, which then starts its server with `startServer({ inWorker: true })`.
 */
export async function superviseWorkers(n: number, notice: (line: string) => void): Promise<boolean> {
  const { default: cluster } = await import('node:cluster');
  if (!cluster.isPrimary) return false;
  let stopping = false;
  // Each worker accepts its own connections from the shared socket, unless NODE_CLUSTER_SCHED_POLICY says
  // otherwise: with round robin the primary accepts every connection and hands it over IPC, and a burst
  // of 1,024 new connections then timed out where the workers accepting themselves shed the excess with 503s.
  if (process.env['NODE_CLUSTER_SCHED_POLICY'] === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
  const { shareListenerCopies } = await import('../listener-copies.js');
  shareListenerCopies(cluster);
  for (let i = 0; i < n; i++) cluster.fork();
  // A worker that dies before it ever listened (the store unreachable, the port taken) would die again:
  // it is not replaced, and once none is left the primary exits with an error.
  const listened = new Set<number>();
  cluster.on('listening', (worker) => listened.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    const left = Object.keys(cluster.workers ?? {}).length;
    if (stopping) {
      if (left === 0) process.exit(0);
      return;
    }
    if (!listened.has(worker.id)) {
      notice(`worker ${worker.process.pid} exited (${signal ?? code}) before it listened; not starting another`);
      if (left === 0) process.exit(code !== null && code !== 0 ? code : 1);
      return;
    }
    notice(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  // on, not once: a second signal (a process group's, then a parent forwarding it) must not kill the primary while its workers flush.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  notice(`primary ${process.pid}: ${n} workers`);
  return true;
}
