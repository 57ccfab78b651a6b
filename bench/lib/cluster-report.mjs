// The analysis and the tables of bench/cluster.mjs: how the masters shared the messages, the
// projection of N masters on N machines, and the side-by-side rates with the 0.7x target.

/** The cluster's target here, where its masters share the machine's two cores with everything else. */
export const TARGET_RATIO = 0.7;
/** Messages on the wire per request: the request, then its reply. */
export const MESSAGES_PER_REQUEST = 2;

const fmt = (n) => Math.round(n).toLocaleString('en-US');

/**
 * How the masters shared the messages: SPUBLISH (cluster) or PUBLISH (one server) calls per master
 * against the messages sent, and each master's CPU per message it carried.
 */
export function workSplit(nodes, messages) {
  const masters = nodes.filter((n) => n.role === 'master');
  const published = (n) => (n.commands.spublish?.calls ?? 0) + (n.commands.publish?.calls ?? 0);
  const perMaster = masters.map((n) => ({
    port: n.port,
    publishCalls: published(n),
    calls: n.calls,
    publishUsec: (n.commands.spublish?.usec ?? 0) + (n.commands.publish?.usec ?? 0),
    cpuMs: n.cpuMs,
    corePct: n.corePct,
    cpuUsPerMessage: published(n) > 0 ? (n.cpuMs * 1000) / published(n) : undefined,
  }));
  const publishSum = perMaster.reduce((a, m) => a + m.publishCalls, 0);
  const busiest = perMaster.reduce((a, m) => (m.cpuMs > (a?.cpuMs ?? -1) ? m : a), undefined);
  const replicas = nodes.filter((n) => n.role !== 'master');
  return {
    messages,
    publishSum,
    publishPerMessage: messages > 0 ? publishSum / messages : undefined,
    perMaster,
    busiest: busiest?.port,
    replicaCpuMs: replicas.reduce((a, n) => a + n.cpuMs, 0),
    allCpuUsPerMessage: (nodes.reduce((a, n) => a + n.cpuMs, 0) * 1000) / Math.max(1, messages),
  };
}

/**
 * Requests/s that N masters on N machines could carry, each master one core: the busiest master's CPU
 * per message says how many messages one core carries; services spread evenly over the masters.
 */
export function projection(split) {
  const busiest = split.perMaster.find((m) => m.port === split.busiest);
  if (!busiest?.cpuUsPerMessage) return undefined;
  const messagesPerCore = 1e6 / busiest.cpuUsPerMessage;
  return {
    cpuUsPerMessage: busiest.cpuUsPerMessage,
    messagesPerMasterCore: messagesPerCore,
    requestsPerSecond: Object.fromEntries(
      [1, 3, 6, 12].map((n) => [n, (n * messagesPerCore) / MESSAGES_PER_REQUEST]),
    ),
  };
}

function ratioLine(label, single, cluster, unit) {
  const ratio = cluster.rate / single.rate;
  const mark = (r) => (r.disturbed ? '*' : ' ');
  return (
    `  ${label.padEnd(22)} ${fmt(single.rate).padStart(8)}${mark(single)} ${fmt(cluster.rate).padStart(8)}${mark(cluster)}` +
    `  ${ratio.toFixed(2)}x  ${ratio >= TARGET_RATIO ? 'MET' : 'MISSED'} (>= ${TARGET_RATIO}x)  ${unit}`
  );
}

export function printReport(results, scenarios, log) {
  const withReplicas = results.plan.replicasPerMaster !== 0;
  const replicas = withReplicas ? '3 replicas' : 'no replica';
  log(`\n== hydra-nest on one Redis and on a 3-master cluster with ${replicas} (same machine, same run)`);
  log(`  ${'measurement'.padEnd(22)} ${'single'.padStart(9)} ${'cluster'.padStart(9)}  cluster/single`);
  for (const scenario of scenarios) {
    const r = results.requestReply[scenario.key];
    log(ratioLine(`${scenario.key} (req/s)`, r.single, r.cluster, 'req/s'));
  }
  const q = results.queueDrain;
  log(ratioLine('drain-c50 (jobs/s)', q.single, q.cluster, 'jobs/s'));
  log('  * = other processes took more than 10% of the machine in a round (noisy figure)');

  for (const scenario of scenarios) {
    const split = results.requestReply[scenario.key].cluster.split;
    log(
      `\n== ${scenario.key} on the cluster: work per master (${fmt(split.messages)} messages sent, requests + replies)`,
    );
    log('  master  SPUBLISH calls  all calls  SPUBLISH usec  Redis CPU ms  % of a core  CPU µs/message');
    for (const m of split.perMaster) {
      log(
        `  ${String(m.port).padEnd(6)}  ${fmt(m.publishCalls).padStart(14)}  ${fmt(m.calls).padStart(9)}  ${fmt(m.publishUsec).padStart(13)}` +
          `  ${fmt(m.cpuMs).padStart(12)}  ${m.corePct.toFixed(1).padStart(10)}%  ${m.cpuUsPerMessage?.toFixed(1).padStart(14) ?? '             -'}`,
      );
    }
    log(
      `  SPUBLISH calls summed over the masters: ${fmt(split.publishSum)} = ${split.publishPerMessage?.toFixed(2)} per message ` +
        '(1.00: each message crossed one master; a classic PUBLISH on a cluster reaches all of them)',
    );
    if (withReplicas)
      log(
        `  replicas: ${fmt(split.replicaCpuMs)} ms of CPU in all (they apply what their master propagates)`,
      );
    const p = results.requestReply[scenario.key].cluster.projection;
    if (p) {
      log(
        `  projection: the busiest master spent ${p.cpuUsPerMessage.toFixed(1)} µs of CPU per message, so one master core ` +
          `carries ~${fmt(p.messagesPerMasterCore)} messages/s; with services spread evenly, N masters on N machines:`,
      );
      log(
        `    ${Object.entries(p.requestsPerSecond)
          .map(([n, rps]) => `N=${n}: ~${fmt(rps)} req/s`)
          .join(', ')}  (Redis side only: clients and services must scale with it)`,
      );
    }
    const single = results.requestReply[scenario.key].single.split;
    log(`  for comparison, one Redis: ${single.allCpuUsPerMessage.toFixed(1)} µs of CPU per message`);
  }
}
