// The README's shell examples, run as written: every command in its ```sh blocks either runs here, in
// README order, in one temporary clone-like project (package.json, package-lock.json and links to
// dist/, node_modules/, scripts/ and test/, so `test/fixtures/data/…` paths resolve and the store is
// that folder's own `.hyperplane/`), or is listed in SKIPPED with why. A command added to the README
// that is neither fails this test, so the README can't drift from what works.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';
import { dropPrefix, testPrefix } from './queue/harness.js';

/** Resolves once no process of the group `pgid` is left (or after `ms`). */
async function groupGone(pgid: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Commands the test does not run, each with why. */
const SKIPPED: Record<string, string> = {
  'npm ci': 'installs the dependencies: minutes, and the shared install must not change',
  'npm test': 'the whole test suite, of which this file is part',
  'npm run -s hyperplane -- profile postgres://postgres@127.0.0.1:5432/test --query "select * from customers"':
    'needs a PostgreSQL with a customers table (the PostgreSQL source has its own tests)',
  'npm run -s hyperplane -- synth --task binary --rows 1000000 --features 28 --seed 42 --out synth.csv':
    'writes a 1,000,000-row file: too slow for this test (synth has its own tests)',
  'npm run -s hyperplane -- ui': 'serves until stopped; test/cli/ui-cli.test.ts runs it, and the browser tests (test/ui/) drive its pages',
};

/**
 * Run ids in the README are examples; a run's id is random. Each is replaced by the id of a run that
 * an earlier README command made: `train` prints `run <id>` and the demo `(run <id>)`.
 */
const PLACEHOLDER_RUNS: Record<string, string> = {
  '3f2a9c1e': 'the quick start run (breast_cancer.csv)',
  '8b0d4e77': 'the demo run',
  '5c1d07aa': 'the penguins run (no model version comes from it, so it can be deleted)',
};

interface Command {
  line: number;
  text: string;
}

/** Each command line of the README's ```sh blocks (comment lines and blanks left out). */
function readmeCommands(readme: string): Command[] {
  const commands: Command[] = [];
  let inSh = false;
  readme.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('```')) {
      inSh = !inSh && line === '```sh';
      return;
    }
    if (inSh && line !== '' && !line.startsWith('#')) commands.push({ line: i + 1, text: line });
  });
  return commands;
}

/** The command without a trailing `# comment`. */
const bare = (text: string): string => text.replace(/\s+#\s.*$/, '').trim();

/** What this test runs: the CLI as a user in a clone calls it, the demo, and the request the demo prints. */
const runnable = (b: string): boolean => b.startsWith('npm run -s hyperplane -- ') || b === 'npm run demo' || b === 'npm run monitor-demo' || b.startsWith('curl ');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface ShellRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv, limit = 60_000): Promise<ShellRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, timeout: limit });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every file under a folder with its size and mtime, to show nothing was written there. */
function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else out.push(`${p} ${s.size} ${s.mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const commands = readmeCommands(readme);
const project = tempDir('hyperplane-readme-');
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('README', () => {
  it('has only commands this test runs or lists as skipped, and every skipped one is in it', () => {
    const inReadme = new Set(commands.map((c) => bare(c.text)));
    for (const skipped of Object.keys(SKIPPED)) expect(inReadme, `SKIPPED lists a command the README lacks: ${skipped}`).toContain(skipped);
    for (const c of commands) {
      const b = bare(c.text);
      expect(runnable(b) || b in SKIPPED, `README line ${c.line}: neither run by this test nor in SKIPPED: ${c.text}`).toBe(true);
    }
  });

  // The commands run in order in one folder, each as a test of its own: one test running longer than 60 s
  // made vitest's worker report a timeout of its own (vitest #8164), failing the run though every test passed.
  const state: { runs: string[]; demo: ReturnType<typeof spawn> | undefined; env: NodeJS.ProcessEnv; port: number; before: string[] } = { runs: [], demo: undefined, env: {}, port: 0, before: [] };
  const setUp = (async () => {
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(ROOT, f), join(project, f));
    for (const d of ['dist', 'node_modules', 'scripts', 'test']) symlinkSync(join(ROOT, d), join(project, d));
    state.before = snapshot(join(ROOT, '.hyperplane'));
    state.port = await freePort();
    state.env = { ...process.env, PORT: String(state.port) };
    delete state.env['HYPERPLANE_STORE'];
    delete state.env['npm_config_loglevel'];
    // The queue examples run as written, their keys under a prefix of this run's own (dropped after), not the
    // default one a team's own queues may use.
    state.env['HYPERPLANE_QUEUE_PREFIX'] = queuePrefix;
  });
  const queuePrefix = testPrefix('readme');
  let ready: Promise<void> | undefined;
  afterAll(async () => {
    if (state.demo !== undefined && state.demo.exitCode === null) process.kill(-state.demo.pid!, 'SIGKILL');
    await dropPrefix(queuePrefix).catch(() => undefined);
  });

  async function runOne(c: Command, failures: string[]): Promise<void> {
    const { runs, env, port } = state;
    let demo = state.demo;
    try {
      const b = bare(c.text);
      if (b in SKIPPED) return;
      const where = `README line ${c.line}: ${c.text}`;
      if (!runnable(b)) {
        failures.push(`${where}\n  not run: neither a CLI call this test makes nor in SKIPPED`);
        return;
      }
      let text = c.text;
      Object.keys(PLACEHOLDER_RUNS).forEach((placeholder, i) => {
        if (!text.includes(placeholder)) return;
        const id = runs[i];
        if (id === undefined) failures.push(`${where}\n  no run yet for ${placeholder} (${PLACEHOLDER_RUNS[placeholder]})`);
        else text = text.replaceAll(placeholder, id.slice(0, 8));
      });

      if (b === 'npm run demo') {
        // Started, asked the README's request (the next command) and stopped after it.
        demo = spawn('sh', ['-c', text], { cwd: project, env, detached: true });
        let out = '';
        demo.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
        demo.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
        const started = Date.now();
        while (!out.includes('3/3 serving') && Date.now() - started < 60_000 && demo.exitCode === null) await new Promise((r) => setTimeout(r, 200));
        const id = /\(run ([0-9a-f]{32})\)/.exec(out)?.[1];
        if (id !== undefined) runs[1] = id;
        // Ready when the server answers.
        while (Date.now() - started < 60_000 && demo.exitCode === null) {
          const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
          if (ok) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        if (demo.exitCode !== null || !out.includes('3/3 serving')) failures.push(`${where}\n  the demo did not start serving:\n${out}`);
        // The quick start ends with the dashboard's address: the demo's server must answer it.
        const page = await fetch(`http://127.0.0.1:${port}/ui/`).then(
          async (r) => (r.ok ? r.text() : `${r.status} ${await r.text()}`),
          (e: unknown) => String(e),
        );
        if (!page.includes('<div id="app">')) failures.push(`${where}\n  the dashboard did not answer at /ui/: ${page.slice(0, 200)}`);
        if (!readme.includes('http://127.0.0.1:8080/ui/')) failures.push(`${where}\n  the README does not give the dashboard's address`);
        return;
      }
      if (b.startsWith('curl ')) text = text.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`);
      else if (demo !== undefined) {
        // The demo serves the curls that follow it; the first other command stops it (it ships its log as it stops).
        process.kill(-demo.pid!, 'SIGTERM');
        await new Promise((r) => (demo!.exitCode !== null ? r(undefined) : demo!.on('exit', r)));
        // npm and the shell can exit before the server has shipped its journal: wait until the whole group is gone.
        await groupGone(demo.pid!, 30_000);
        demo = undefined;
      }

      // The monitoring demo waits up to 60 s for its alert, on top of starting a server: a minute is not enough for it on a busy machine.
      const r = await sh(text, project, env, b === 'npm run monitor-demo' ? 150_000 : 60_000);
      const output = `exit ${r.code}\n  stdout: ${r.stdout.slice(0, 800)}\n  stderr: ${r.stderr.slice(0, 800)}`;
      if (r.code !== 0) {
        failures.push(`${where}\n  ${output}`);
        return;
      }
      // The CLI's output may be redirected into a file, so it must be only its own (npm's -s); a script's need not.
      if (b.startsWith('npm run -s ') && r.stdout.includes('> hyperplane@')) failures.push(`${where}\n  stdout has npm's banner: ${r.stdout.slice(0, 200)}`);
      if (b.startsWith('curl ')) {
        try {
          const answer = JSON.parse(r.stdout) as { prediction?: unknown };
          if (answer.prediction === undefined) failures.push(`${where}\n  no prediction in ${r.stdout}`);
        } catch {
          failures.push(`${where}\n  not JSON: ${r.stdout}`);
        }
        if (text.includes('explain=') && !r.stdout.includes('"explanation"')) failures.push(`${where}\n  no explanation in ${r.stdout}`);
      }
      const trained = / train /.test(b) ? /^run\s+([0-9a-f]{32})/m.exec(r.stdout)?.[1] : undefined;
      if (trained !== undefined) {
        if (runs[0] === undefined) runs[0] = trained;
        else if (b.includes('penguins')) runs[2] = trained;
      }

      // Output meant for a file must be that file, nothing else.
      const file = /(?:>|--out|--save-schema|--html)\s+(\S+\.(?:json|csv|html))\b/.exec(b)?.[1];
      if (file !== undefined) {
        const path = join(project, file);
        if (!existsSync(path)) {
          failures.push(`${where}\n  wrote no ${file}`);
          return;
        }
        const content = readFileSync(path, 'utf8');
        if (file.endsWith('.json')) {
          try {
            JSON.parse(content);
          } catch (e) {
            failures.push(`${where}\n  ${file} is not JSON (${(e as Error).message}): ${content.slice(0, 200)}`);
          }
        } else if (file.endsWith('.csv')) {
          const header = content.split('\n')[0] ?? '';
          // Predictions carry a prediction column; `cluster --out` each row's cluster.
          const column = / cluster /.test(b) ? 'cluster' : 'prediction';
          if (!header.split(',').includes(column)) failures.push(`${where}\n  ${file}'s header has no ${column} column: ${header}`);
        } else if (!content.startsWith('<!doctype html') && !content.startsWith('<!DOCTYPE html')) {
          failures.push(`${where}\n  ${file} is not HTML: ${content.slice(0, 100)}`);
        }
      }
  
    } finally {
      state.demo = demo;
    }
  }

  // One test per command, so none runs long; state (run ids, the demo) carries from one to the next.
  for (const c of commands) {
    it(`README line ${c.line}: ${c.text.slice(0, 90)}`, async () => {
      await (ready ??= setUp());
      const failures: string[] = [];
      await runOne(c, failures);
      expect(failures, failures.join('\n\n')).toEqual([]);
    }, 240_000);
  }

  it("used the clone's own store, never the repository's", () => {
    expect(existsSync(join(project, '.hyperplane', 'hyperplane.db'))).toBe(true);
    expect(snapshot(join(ROOT, '.hyperplane'))).toEqual(state.before);
  });
});
