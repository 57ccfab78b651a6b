import { Command, CommanderError, Option } from 'commander';
import { configGetCommand, configListCommand, configPutCommand } from './commands/config-commands.js';
import type { CommandContext } from './commands/command-context.js';
import { pingCommand } from './commands/ping-command.js';
import {
  queuePeekCommand,
  queuePurgeCommand,
  queueRequeueCommand,
  queueStatsCommand,
} from './commands/queue-commands.js';
import {
  healthCommand,
  logCommand,
  nodesCommand,
  presenceCommand,
  routesCommand,
  servicesCommand,
} from './commands/registry-commands.js';
import { sendCommand } from './commands/send-command.js';
import { watchCommand } from './commands/watch-command.js';
import { exitFor } from './error-exit.js';
import { EXIT_CODES_HELP, ExitCode, type ExitCodeValue } from './exit-codes.js';
import { Output } from './output.js';
import { wholeNumber, queueListName, queueListOrAll } from './option-parsers.js';
import { redisTarget, type RedisTargetFlags } from './redis-target.js';
import { CliSession } from './session.js';
import { CLI_VERSION } from './version.js';

const ENVIRONMENT_HELP = [
  'Where Redis is (options win over the environment; default redis://127.0.0.1:6379/15):',
  '  REDIS_URL                 one server, redis://[user:password@]host:port/db (rediss:// for TLS)',
  '  REDIS_SENTINELS           host:port,... of sentinels, with REDIS_SENTINEL_MASTER (the master group)',
  '  REDIS_CLUSTER_NODES       host:port,... of a Redis Cluster (wins over the others)',
  '  REDIS_PASSWORD            password of the Sentinel master or of every cluster node',
  '  NO_COLOR                  no colours (they are used on a terminal only anyway)',
].join('\n');

/** A command's body: what it does with the open session, given its parsed commander `Command`. */
type Body = (ctx: CommandContext, command: Command) => Promise<void>;

/**
 * Builds the `hydra-nest` command line. Commands resolve through `runCli`, which turns their errors
 * into one line on stderr and an exit code.
 */
export function buildProgram(): Command {
  const program = new Command('hydra-nest')
    .description('Operator command line for Hydra 1.x and hydra-nest services on Redis')
    .version(CLI_VERSION)
    .exitOverride()
    // Usage errors read like every other error: one line, `hydra-nest: ...`.
    .configureOutput({ outputError: (text, write) => write(`hydra-nest: ${text.replace(/^error: /, '')}`) })
    .showHelpAfterError('(add --help for usage)')
    .option('--redis <url>', 'one Redis server: redis://[user:password@]host:port/db (env REDIS_URL)')
    // hydra-nest-router's spelling of --redis, accepted so that one habit serves both commands.
    .addOption(new Option('--redis-url <url>').hideHelp())
    .option('--sentinel <host:port,...>', 'find the master through these sentinels (env REDIS_SENTINELS)')
    .option('--sentinel-master <name>', 'the master group the sentinels watch (env REDIS_SENTINEL_MASTER)')
    .option('--db <n>', 'the db with --sentinel (default 15)')
    .option('--cluster <host:port,...>', 'a few nodes of a Redis Cluster (env REDIS_CLUSTER_NODES)')
    .option('--password <password>', 'password for --sentinel or --cluster (env REDIS_PASSWORD)')
    .option('--connect-timeout <ms>', 'give up connecting to Redis after this long', wholeNumber, 2000)
    .option('--json', 'print JSON for scripts instead of tables')
    .addHelpText('after', `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}`);

  // Opens a session for the command (`replies`: one that can receive replies) and always closes it.
  const run =
    (body: Body, options: { replies?: boolean } = {}) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const globals = command.optsWithGlobals<RedisTargetFlags & { json?: boolean; redisUrl?: string }>();
      const out = Output.forProcess(globals.json === true);
      const target = redisTarget({ ...globals, redis: globals.redis ?? globals.redisUrl });
      const session = await CliSession.open(target, options);
      try {
        await body({ session, out }, command);
      } finally {
        await session.close();
      }
    };
  const arg = (command: Command, i: number) => command.processedArgs[i] as string | undefined;
  const opt = <T = any>(command: Command, name: string) => command.opts()[name] as T;

  program
    .command('services')
    .description('registered services and their live instances')
    .action(run(servicesCommand));
  program
    .command('nodes [service]')
    .description('nodes-hash entries (live and dead instances), with the time since each was seen')
    .action(run((ctx, c) => nodesCommand(ctx, arg(c, 0))));
  program
    .command('routes [service]')
    .description('published routes')
    .action(run((ctx, c) => routesCommand(ctx, arg(c, 0))));
  program
    .command('health [service]')
    .description("live instances' health snapshots")
    .action(run((ctx, c) => healthCommand(ctx, arg(c, 0))));
  program
    .command('presence [service]')
    .description('live instances (presence key alive)')
    .action(run((ctx, c) => presenceCommand(ctx, arg(c, 0))));

  const config = program.command('config').description("Hydra's config store (service:version labels)");
  config
    .command('get <label>')
    .description('print the config stored under service:version')
    .action(run((ctx, c) => configGetCommand(ctx, arg(c, 0)!)));
  config
    .command('put <label> <json>')
    .description('store a config under service:version (json "-" reads stdin)')
    .action(run((ctx, c) => configPutCommand(ctx, arg(c, 0)!, arg(c, 1)!)));
  config
    .command('list <service>')
    .description('the stored labels of a service')
    .action(run((ctx, c) => configListCommand(ctx, arg(c, 0)!)));

  program
    .command('send <to> <json>')
    .description('request-reply to service:[method]/path; prints the reply, exits 4 on an error status')
    .option('--timeout <ms>', 'how long to wait for the reply', wholeNumber, 5000)
    .option('--type <typ>', 'the message typ')
    .action(
      run(
        (ctx, c) =>
          sendCommand(ctx, arg(c, 0)!, arg(c, 1)!, {
            timeoutMs: opt<number>(c, 'timeout'),
            type: opt<string | undefined>(c, 'type'),
          }),
        { replies: true },
      ),
    );

  const queue = program
    .command('queue')
    .description("a service's work queue (dead letters and delayed included)");
  queue
    .command('stats <service>')
    .description('messages waiting, in progress, dead, delayed')
    .action(run((ctx, c) => queueStatsCommand(ctx, arg(c, 0)!)));
  queue
    .command('peek <service>')
    .description('the next messages of one list, without taking them')
    .option(
      '--list <list>',
      'received | inProgress | incomplete (= dead) | delayed',
      queueListName,
      'received',
    )
    .option('-n, --count <n>', 'how many', wholeNumber, 10)
    .action(run((ctx, c) => queuePeekCommand(ctx, arg(c, 0)!, opt(c, 'list'), opt(c, 'count'))));
  queue
    .command('requeue <service>')
    .description('move dead letters back to waiting, oldest first')
    .option('-n, --count <n>', 'how many (default: all)', wholeNumber)
    .option('--keep-reason', 'keep the failure reason in the body')
    .action(
      run((ctx, c) => queueRequeueCommand(ctx, arg(c, 0)!, opt(c, 'count'), opt(c, 'keepReason') === true)),
    );
  queue
    .command('purge <service>')
    .description('delete messages of one list or all (asks first unless --yes)')
    .option(
      '--list <list>',
      'received | inProgress | incomplete (= dead) | delayed | all',
      queueListOrAll,
      'all',
    )
    .option('-y, --yes', 'do not ask (needed without a terminal)')
    .action(run((ctx, c) => queuePurgeCommand(ctx, arg(c, 0)!, opt(c, 'list'), opt(c, 'yes') === true)));

  program
    .command('log <service>')
    .description("the newest flight-recorder entries of the service's instances")
    .option('-n, --count <n>', 'how many', wholeNumber, 20)
    .action(run((ctx, c) => logCommand(ctx, arg(c, 0)!, opt(c, 'count'))));
  program
    .command('ping <service>')
    .description('round-trip time of a message to each live instance; exits 5 when one does not answer')
    .option('--timeout <ms>', 'how long to wait for each reply', wholeNumber, 2000)
    .action(run((ctx, c) => pingCommand(ctx, arg(c, 0)!, opt(c, 'timeout')), { replies: true }));
  program
    .command('watch')
    .description('a live view of services, instances, health and queues (Ctrl-C to quit)')
    .option('--interval <ms>', 'refresh period', wholeNumber, 2000)
    .option('--count <n>', 'exit after this many refreshes', wholeNumber)
    .action(
      run((ctx, c) =>
        watchCommand(ctx, {
          intervalMs: opt(c, 'interval'),
          count: opt(c, 'count'),
          tty: process.stdout.isTTY === true,
        }),
      ),
    );
  return program;
}

/**
 * Runs `hydra-nest` with `argv` (as `process.argv`: node and script first) and resolves its exit code;
 * a failure is reported as one line on stderr.
 */
export async function runCli(argv: string[]): Promise<ExitCodeValue> {
  try {
    await buildProgram().parseAsync(argv);
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help, or the version).
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    const { code, message } = exitFor(error);
    process.stderr.write(`hydra-nest: ${message}\n`);
    return code;
  }
}
