import { NotFoundError } from '../cli-errors.js';
import { readJsonArgument } from '../json-argument.js';
import type { CommandContext } from './command-context.js';

/** `config get <service:version>`: the stored config, as JSON. */
export async function configGetCommand({ session, out }: CommandContext, label: string): Promise<void> {
  const config = await session.hydra.configs.get(label);
  if (config === null) {
    throw new NotFoundError(
      `no config "${label}" at ${session.where}; \`hydra-nest config list ${label.split(':')[0]}\` lists the stored ones`,
    );
  }
  out.result(config, () => JSON.stringify(config, null, 2));
}

/** `config put <service:version> <json|->`: stores a config (Hydra's `putConfig`). */
export async function configPutCommand(
  { session, out }: CommandContext,
  label: string,
  json: string,
): Promise<void> {
  const config = await readJsonArgument('the config', json);
  await session.hydra.configs.put(label, config);
  out.result({ label, stored: true }, () => `stored ${out.style.bold(label)}`);
}

/** `config list <service>`: the stored labels of a service, sorted. */
export async function configListCommand({ session, out }: CommandContext, service: string): Promise<void> {
  const labels = await session.hydra.configs.list(service);
  out.result(labels, () => (labels.length ? labels.join('\n') : `no configs stored for ${service}`));
}
