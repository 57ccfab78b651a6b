import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HydraConfigError } from './errors.js';

/** Who this process is, as published in Hydra's registry. */
export interface ServiceIdentityOptions {
  /** Service name; lower-cased as Hydra does. No `:`, spaces or glob characters. */
  serviceName: string;
  /** IP published for HTTP calls; default: the first non-internal IPv4 address, else 127.0.0.1. */
  serviceIP?: string;
  /** HTTP port published for HTTP calls (`makeAPIRequest`); 0 or absent: unknown until set later. */
  servicePort?: number | string;
  /** `type` in the service registry entry (e.g. `peer`, `router`). */
  serviceType?: string;
  /** Description in the nodes hash; default `not specified`. */
  serviceDescription?: string;
  /** Version in the nodes hash; default: `version` of the package.json beside the main script. */
  serviceVersion?: string;
}

/** The resolved, immutable-by-convention identity of one running instance. */
export interface ServiceIdentity {
  readonly serviceName: string;
  /** 32 lower-case hex characters (a UUID v4 without dashes), new for every instance. */
  readonly instanceId: string;
  readonly serviceType?: string;
  readonly serviceDescription: string;
  readonly serviceVersion?: string;
  readonly ip: string;
  /** Hydra stores a configured port as a string and a generated one as a number; both are read. */
  port: string | number;
  readonly hostName: string;
  readonly processId: number;
}

const INVALID_NAME = /[:\s*?[\]]/;

/** Checks and lower-cases a service name, or throws a {@link HydraConfigError} saying what is wrong. */
export function normalizeServiceName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new HydraConfigError('serviceName is required: give each service a name such as "users-svc"');
  }
  if (INVALID_NAME.test(name)) {
    throw new HydraConfigError(
      `serviceName "${name}" contains ":", white space or a glob character (* ? [ ]); ` +
        'Hydra keys are ":"-separated and discovered with SCAN patterns, so use letters, digits, "-" or "_"',
    );
  }
  return name.toLowerCase();
}

/** A new Hydra instance id: a UUID v4 without dashes. */
export function newInstanceId(): string {
  return randomUUID().replace(/-/g, '');
}

function firstExternalIPv4(): string {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}

function versionBesideMainScript(): string | undefined {
  const main = process.argv[1];
  if (!main) return 'unspecified';
  try {
    const pkg = JSON.parse(readFileSync(path.join(path.dirname(main), 'package.json'), 'utf8'));
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return 'unspecified';
  }
}

/** Resolves the identity of a new instance from the options. */
export function resolveIdentity(options: ServiceIdentityOptions): ServiceIdentity {
  const port = options.servicePort;
  return {
    serviceName: normalizeServiceName(options.serviceName),
    instanceId: newInstanceId(),
    serviceType: options.serviceType,
    serviceDescription: options.serviceDescription ?? 'not specified',
    serviceVersion: options.serviceVersion ?? versionBesideMainScript(),
    ip: options.serviceIP && options.serviceIP.length > 0 ? options.serviceIP : firstExternalIPv4(),
    // Hydra publishes a configured port as a string; keep that so Hydra tooling sees the same value.
    port: port === undefined || port === 0 || port === '0' ? 0 : String(port),
    hostName: os.hostname(),
    processId: process.pid,
  };
}
