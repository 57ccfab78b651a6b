import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cliDir = path.join(root, 'packages/cli');
const builtBin = path.join(cliDir, 'dist/bin.js');

/** The variables that point the CLI somewhere or colour it: a test gives them explicitly or not at all. */
const CONTROLLED_ENV = [
  'REDIS_URL',
  'REDIS_CLUSTER_NODES',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_MASTER',
  'REDIS_PASSWORD',
  'NO_COLOR',
  'FORCE_COLOR',
];

/** How one `hydra-nest` run ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the run, ms. */
  ms: number;
}

/** Options of one run. */
export interface CliRunOptions {
  env?: Record<string, string>;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Run on a pseudo-terminal (util-linux `script`): stdin and stdout are a TTY. */
  tty?: boolean;
  /** Sends SIGINT (Ctrl-C) once stdout so far satisfies this. */
  interruptWhen?: (stdout: string) => boolean;
}

/**
 * The command that runs the CLI: the build (`npm run build`) when every source file has an up-to-date
 * output, else the TypeScript sources through the repo's loader, so a test never runs a stale build.
 */
function cliCommand(): string[] {
  const srcDir = path.join(cliDir, 'src');
  const fresh = sourceFiles(srcDir).every((file) => {
    const built = statSafe(path.join(cliDir, 'dist', path.relative(srcDir, file).replace(/\.ts$/, '.js')));
    return built !== undefined && built >= statSync(file).mtimeMs;
  });
  if (fresh) return [process.execPath, builtBin];
  return [
    process.execPath,
    '--conditions=source',
    '--import',
    path.join(root, 'test/crash/register-ts.mjs'),
    path.join(srcDir, 'bin.ts'),
  ];
}

let command: string[] | undefined;

/** Runs `hydra-nest ...args` as a child process and resolves how it ended (never rejects on a non-zero exit). */
export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  command ??= cliCommand();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONTROLLED_ENV) delete env[name];
  Object.assign(env, options.env);
  const [file, ...rest] = options.tty
    ? ['script', '-qec', [...command, ...args].map(shellQuote).join(' '), '/dev/null']
    : [...command, ...args];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file!, rest, { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!interrupted && options.interruptWhen?.(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end(options.input ?? '');
  });
}

/** Parses a run's stdout as JSON, failing with the run's output when it is not. */
export function jsonOf<T = any>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function statSafe(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}
