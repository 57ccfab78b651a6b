/** Runs a pipeline and throws the first command error (ioredis reports them per command). */
export async function execOrThrow(pipeline: { exec(): Promise<[Error | null, unknown][] | null> }) {
  const results = await pipeline.exec();
  for (const [error] of results ?? []) if (error) throw error;
  return results ?? [];
}
