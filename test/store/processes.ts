import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

/** Child scripts import the built library; `npm test` builds first. */
export function workerScript(name: string): string {
  if (!existsSync(join(ROOT, 'dist', 'store', 'index.js'))) throw new Error('dist/store is missing: run `npm run build` (npm test does) before these tests');
  return join(ROOT, 'test', 'store', 'workers', name);
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startNode(script: string, args: readonly string[]): { child: ChildProcess; done: Promise<Finished>; lines: AsyncIterable<string> } {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: ((line: string | undefined) => void)[] = [];
  const queued: string[] = [];
  let partial = '';
  let ended = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      const w = waiting.shift();
      if (w === undefined) queued.push(line);
      else w(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      for (const w of waiting.splice(0)) w(undefined);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  const lines: AsyncIterable<string> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queued.shift() ?? (ended ? undefined : await new Promise<string | undefined>((r) => waiting.push(r)));
        if (next === undefined) return;
        yield next;
      }
    },
  };
  return { child, done, lines };
}
