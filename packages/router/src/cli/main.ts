#!/usr/bin/env node
// `hydra-nest-router`: the gateway as a command. See `hydra-nest-router --help`.
import { createRouter, ROUTER_VERSION } from '../hydra-router.js';
import { defaultMounts } from './mounts.js';
import { parseRouterArgs, USAGE } from './router-args.js';

async function main(): Promise<void> {
  let command;
  try {
    command = parseRouterArgs(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`hydra-nest-router: ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (command.kind === 'help') return void process.stdout.write(USAGE);
  if (command.kind === 'version') return void process.stdout.write(`${ROUTER_VERSION}\n`);

  const router = await createRouter({ ...command.options, mounts: defaultMounts() });
  const admin = command.options.admin === false ? 'off' : 'on';
  process.stdout.write(
    `hydra-nest router ${ROUTER_VERSION} listening on ${router.url} as ${router.hydra.serviceName} ` +
      `(${router.hydra.instanceId}); ${router.table.services().length} service(s) routed; admin API ${admin}; ` +
      `dashboard at ${router.url}/dashboard\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping the router (it deregisters at once)\n`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    router.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: Error) => {
  process.stderr.write(`hydra-nest-router failed to start: ${error.message}\n`);
  process.exit(1);
});
