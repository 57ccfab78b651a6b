// The least a Hydra-compatible instance can cost Redis while idle, for bench/scale.mjs --kind floor:
// two plain ioredis connections (commands, and a subscriber holding its instance channel) and, every
// second in one pipelined round trip, the presence SETEX and nodes HSET that Hydra 1.x peers read, with
// the health SETEX every other second. No framework, no discovery, no announcements: what hydra-nest's
// idle instance costs above it is hydra-nest's own.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Redis } from 'ioredis';

const PRESENCE_TTL_SECONDS = 3;

export class FloorInstance {
  constructor(cfg, serviceName, index, db) {
    if (cfg.clusterNodes) throw new Error('--kind floor runs on one Redis only (--topologies single)');
    this.url = `${cfg.redisUrl}/${db}`;
    this.serviceName = serviceName;
    this.instanceId = randomBytes(16).toString('hex');
    this.port = 10_000 + index;
    this.beats = 0;
  }

  async start() {
    const options = { lazyConnect: true, maxRetriesPerRequest: 1 };
    this.command = new Redis(this.url, options);
    this.subscriber = new Redis(this.url, options);
    for (const redis of [this.command, this.subscriber]) redis.on('error', () => undefined);
    await Promise.all([this.command.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(`hydra:service:mc:${this.serviceName}:${this.instanceId}`);
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), 1000);
  }

  beat() {
    const prefix = `hydra:service:${this.serviceName}:${this.instanceId}`;
    const now = new Date().toISOString();
    const entry = {
      serviceName: this.serviceName,
      serviceDescription: 'not specified',
      version: '1.0.0',
      instanceID: this.instanceId,
      updatedOn: now,
      processID: process.pid,
      ip: '127.0.0.1',
      port: this.port,
      hostName: os.hostname(),
    };
    const pipeline = this.command
      .pipeline()
      .setex(`${prefix}:presence`, PRESENCE_TTL_SECONDS, this.instanceId)
      .hset('hydra:service:nodes', this.instanceId, JSON.stringify(entry));
    if (this.beats++ % 2 === 0) pipeline.setex(`${prefix}:health`, PRESENCE_TTL_SECONDS, healthOf(entry));
    return pipeline.exec();
  }

  async stop() {
    clearInterval(this.timer);
    const prefix = `hydra:service:${this.serviceName}:${this.instanceId}`;
    await this.command
      ?.pipeline()
      .del(`${prefix}:presence`)
      .hdel('hydra:service:nodes', this.instanceId)
      .exec();
    this.command?.disconnect();
    this.subscriber?.disconnect();
  }
}

/** A health snapshot shaped as Hydra's (`_getHealth`). */
function healthOf(entry) {
  const memory = process.memoryUsage();
  return JSON.stringify({
    updatedOn: entry.updatedOn,
    serviceName: entry.serviceName,
    instanceID: entry.instanceID,
    hostName: entry.hostName,
    sampledOn: entry.updatedOn,
    processID: entry.processID,
    architecture: process.arch,
    platform: process.platform,
    nodeVersion: process.version,
    memory: {
      rss: memory.rss,
      heapTotal: memory.heapTotal,
      heapUsed: memory.heapUsed,
      external: memory.external,
    },
    uptimeSeconds: process.uptime(),
  });
}
