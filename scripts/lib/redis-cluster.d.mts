import type { RedisProcess } from './redis-process.mjs';

export interface RedisClusterOptions {
  /** Masters, each serving an equal share of the 16384 slots (default 3). */
  masters?: number;
  /** Replicas of each master (default 1). */
  replicasPerMaster?: number;
  /**
   * `cluster-node-timeout` in ms (default 1000): how long a silent node takes to be flagged as failing,
   * so what a failover takes (about 2 s with 1000).
   */
  nodeTimeoutMs?: number;
  /** Append-only file on every node, so data survives a restart (default off, and never RDB). */
  persistence?: boolean;
  /** Extra redis-server arguments for every node. */
  extraArgs?: string[];
  /** How long `start()` may take before it fails with the nodes' log tails (default 30000). */
  startTimeoutMs?: number;
  /**
   * Run every node in a process group of its own (default false), so a Ctrl-C in the terminal reaches
   * the parent only, which stops the cluster after its clients (`npm run demo -- --cluster`).
   */
  detached?: boolean;
}

/** A node's address, e.g. an ioredis `Cluster` startup node. */
export interface ClusterNodeAddress {
  host: string;
  port: number;
}

/** A replica and the port of the master it follows. */
export interface ClusterReplicaAddress extends ClusterNodeAddress {
  masterPort: number;
}

/**
 * A private Redis Cluster on loopback (3 masters, 3 replicas by default), made with `redis-server
 * --cluster-enabled yes` and `redis-cli --cluster create`, for tests, the demo and benchmarks.
 *
 * @example
 * const cluster = await new RedisCluster().start();
 * const client = new Cluster(cluster.nodes);
 * await cluster.kill((await cluster.masterOf('k')).port);
 */
export declare class RedisCluster {
  constructor(options?: RedisClusterOptions);
  readonly options: Required<RedisClusterOptions>;
  /** The nodes' processes, in the order given to `redis-cli --cluster create`. */
  readonly processes: RedisProcess[];
  /** Every node, masters and replicas alike, as ioredis `Cluster` startup nodes. */
  readonly nodes: ClusterNodeAddress[];
  /** Milliseconds the last `start()` took. */
  readonly startMs: number;
  /** Starts the nodes, joins them, and resolves once every node agrees the cluster is ok. */
  start(): Promise<this>;
  /** Kills every node and removes their directories. Safe to call twice. */
  stop(): Promise<void>;
  /** Sends one command to the node on `port` and resolves its reply. */
  call(port: number, ...args: Array<string | number>): Promise<any>;
  /** The running masters, as their ROLE says now. */
  masters(): Promise<ClusterNodeAddress[]>;
  /** The running replicas, as their ROLE says now. */
  replicas(): Promise<ClusterReplicaAddress[]>;
  /** The hash slot of `key`. */
  slotOf(key: string): Promise<number>;
  /** The master that serves `slot` now. */
  nodeForSlot(slot: number): Promise<ClusterNodeAddress>;
  /** The master that serves `key` now. */
  masterOf(key: string): Promise<ClusterNodeAddress>;
  /**
   * Moves `slot` with its keys to the master on `toPort` and resolves once every node agrees; a client
   * still asking the old owner gets MOVED.
   */
  moveSlot(
    slot: number,
    toPort: number,
    options?: { batch?: number; timeoutMs?: number },
  ): Promise<{ from: number; to: number; keys: number }>;
  /** SIGKILLs the node on `port`; `waitForFailover` counts from this moment. */
  kill(port: number): Promise<void>;
  /** Starts the node on `port` again with its `nodes.conf` and resolves once the cluster has settled. */
  restart(port: number, options?: { downMs?: number; timeoutMs?: number }): Promise<void>;
  /** SIGKILLs every node at once, as if the whole cluster crashed (nothing is saved without persistence). */
  killAll(): Promise<void>;
  /**
   * Starts every node again (after `downMs`) with its `nodes.conf`, so each rejoins as itself, and
   * resolves once the cluster has settled.
   */
  restartAll(options?: { downMs?: number; timeoutMs?: number }): Promise<void>;
  /**
   * Resolves once another node serves the slots of the master on `oldMasterPort` and the cluster has
   * settled: the new master's port, and the milliseconds since `kill(oldMasterPort)`.
   */
  waitForFailover(
    oldMasterPort: number,
    options?: { timeoutMs?: number },
  ): Promise<{ port: number; ms: number }>;
  /**
   * Resolves once every running node says `cluster_state:ok`, knows every node, shows the same slot map
   * serving all slots, and every running replica's link is up; `also` adds problems of the caller's own.
   */
  waitUntilSettled(options?: { timeoutMs?: number; also?: () => Promise<string[]> }): Promise<void>;
  /** The last lines of every node's log, for error messages. */
  logTails(lines?: number): string;
}

/** Starts a private Redis Cluster and returns it. */
export declare function startCluster(options?: RedisClusterOptions): Promise<RedisCluster>;
