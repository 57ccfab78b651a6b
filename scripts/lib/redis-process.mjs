// Starts and stops private redis-server processes on free loopback ports. Used by the test harness,
// `npm run demo` and `npm run bench`, so that nothing ever depends on a server someone else started.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Finds the redis-server binary or throws an error saying how to install it. */
export function findRedisServer() {
  const candidates = [process.env.REDIS_SERVER_BIN, 'redis-server'].filter(Boolean);
  for (const bin of candidates) {
    try {
      execFileSync(bin, ['--version'], { stdio: 'ignore' });
      return bin;
    } catch {
      // try the next candidate
    }
  }
  throw new Error(
    'redis-server was not found on PATH. Install it (Debian/Ubuntu: `apt-get install -y redis-server`, ' +
      'macOS: `brew install redis`) or set REDIS_SERVER_BIN to its path.',
  );
}

/** Finds the openssl CLI (needed for `tls: true`) or throws an error saying how to install it. */
export function findOpenssl() {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return 'openssl';
  } catch {
    throw new Error(
      'openssl was not found on PATH; RedisProcess needs it to make the certificates of `tls: true`. ' +
        'Install it (Debian/Ubuntu: `apt-get install -y openssl`, macOS: `brew install openssl`).',
    );
  }
}

// Extensions of the throwaway certificates; a file of our own so the system openssl.cnf does not matter.
const OPENSSL_CONFIG = `[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid
`;

/**
 * Makes a throwaway CA and a server certificate for 127.0.0.1 / localhost (EC P-256, valid 1 day) in
 * `dir`. Returns the paths of the CA certificate and of the server's certificate and key.
 */
export function makeTestCertificates(dir) {
  const openssl = findOpenssl();
  mkdirSync(dir, { recursive: true });
  // Run inside `dir` with bare file names, so that no path needs quoting.
  const run = (command) =>
    execFileSync(openssl, command.split(' '), { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  writeFileSync(path.join(dir, 'openssl.cnf'), OPENSSL_CONFIG);
  run('ecparam -name prime256v1 -genkey -noout -out ca.key');
  run(
    'req -new -x509 -config openssl.cnf -extensions ca -key ca.key -days 1 -subj /CN=hydra-nest-test-ca -out ca.crt',
  );
  run('ecparam -name prime256v1 -genkey -noout -out server.key');
  run('req -new -config openssl.cnf -key server.key -subj /CN=127.0.0.1 -out server.csr');
  run(
    `x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial ${Date.now()} -days 1 ` +
      '-extfile openssl.cnf -extensions server -out server.crt',
  );
  // The CA's key has signed its one certificate; nothing should be able to sign another.
  rmSync(path.join(dir, 'ca.key'));
  rmSync(path.join(dir, 'server.csr'));
  return {
    caCertPath: path.join(dir, 'ca.crt'),
    certPath: path.join(dir, 'server.crt'),
    keyPath: path.join(dir, 'server.key'),
  };
}

/** Asks the kernel for a free loopback TCP port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setTimeout(500);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * Sends one command to the server on `port` as the default user and resolves its reply line
 * (`+OK`, `:1`, ...); rejects with Redis's text on an error reply. Only for commands whose reply is one
 * line: enough for set-up such as ACL SETUSER, without a client library.
 */
export function sendCommand(port, args) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setTimeout(2000);
    socket.on('connect', () => {
      const parts = args.map((arg) => `$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`);
      socket.write(`*${args.length}\r\n${parts.join('')}`);
    });
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      const end = answer.indexOf('\r\n');
      if (end < 0) return;
      socket.destroy();
      const line = answer.slice(0, end);
      if (line.startsWith('-'))
        reject(new Error(`redis-server on port ${port} refused ${args[0]}: ${line.slice(1)}`));
      else resolve(line);
    });
    socket.on('timeout', () => {
      socket.destroy();
      reject(new Error(`redis-server on port ${port} did not answer ${args[0]} within 2 s`));
    });
    socket.on('error', reject);
  });
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * A redis-server child process bound to 127.0.0.1 on its own port and data directory.
 * `persistence: true` turns on the append-only file (fsync every second) so a restart keeps the data.
 * `tls: true` also opens a TLS port (`tlsPort`, `tlsUrl`) with a throwaway CA (`caCert`) made at start.
 * `users` are ACL users made at every start (and restart); the default user keeps every right.
 * `detached: true` runs it in a process group of its own, so a Ctrl-C in the terminal reaches its parent
 * only, which stops it once the clients it serves are done (`npm run demo` does).
 */
export class RedisProcess {
  constructor(options = {}) {
    this.options = options;
    this.port = options.port ?? 0;
    this.dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'hydra-nest-redis-'));
    this.ownsDir = options.dir === undefined;
    this.child = undefined;
    this.tlsPort = 0;
    this.tlsFiles = undefined;
    this.stderrTail = '';
  }

  /** `redis://127.0.0.1:<port>` (add a db with `urlFor(db)`). */
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  urlFor(db = 0) {
    return `${this.url}/${db}`;
  }

  /** `redis://user:password@127.0.0.1:<port>/<db>`: a URL that logs in as an ACL user. */
  userUrl(user, password, db = 0) {
    return `redis://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}/${db}`;
  }

  /**
   * Makes (or remakes, from nothing) the ACL user `name` with `password` and `rules`, e.g.
   * `['~app:*', '&app:*', '+get']`, as the default user. Users do not survive a restart by themselves;
   * those of the `users` option are made again.
   */
  async setUser(name, password, rules) {
    await sendCommand(this.port, ['ACL', 'SETUSER', name, 'reset', 'on', `>${password}`, ...rules]);
    return this;
  }

  /** `rediss://127.0.0.1:<tlsPort>` (with `tls: true`; add a db path as for `url`). */
  get tlsUrl() {
    return `rediss://127.0.0.1:${this.#requireTls('tlsUrl').tlsPort}`;
  }

  /** Path of the PEM certificate of the CA that signed the server's certificate (with `tls: true`). */
  get caCertPath() {
    return this.#requireTls('caCertPath').tlsFiles.caCertPath;
  }

  /** The CA certificate (PEM) a client must trust, e.g. ioredis `{ tls: { ca: caCert } }`. */
  get caCert() {
    return readFileSync(this.#requireTls('caCert').tlsFiles.caCertPath, 'utf8');
  }

  #requireTls(what) {
    if (!this.options.tls) throw new Error(`RedisProcess.${what} needs the option tls: true`);
    if (!this.tlsFiles) throw new Error(`RedisProcess.${what} is known once start() has resolved`);
    return this;
  }

  async start() {
    const bin = findRedisServer();
    if (this.options.tls) this.tlsFiles = makeTestCertificates(path.join(this.dir, 'tls'));
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!this.port || attempt > 0) this.port = this.options.port ?? (await freePort());
      if (this.options.tls) this.tlsPort = await freePort();
      if (await this.#launch(bin)) return this.#makeUsers();
    }
    throw new Error(`could not start redis-server on a free port (last tried ${this.port})${this.#said()}`);
  }

  /** What redis-server wrote to stderr, for an error message ('' when nothing). */
  #said() {
    const text = this.stderrTail.trim();
    return text ? `; it said: ${text}` : '';
  }

  async #makeUsers() {
    for (const { name, password, rules } of this.options.users ?? [])
      await this.setUser(name, password, rules);
    return this;
  }

  #tlsArgs() {
    if (!this.tlsFiles) return [];
    const { certPath, keyPath, caCertPath } = this.tlsFiles;
    return [
      '--tls-port',
      String(this.tlsPort),
      '--tls-cert-file',
      certPath,
      '--tls-key-file',
      keyPath,
      '--tls-ca-cert-file',
      caCertPath,
      // Clients prove nothing: the tests check that they verify the server, not the other way round.
      '--tls-auth-clients',
      'no',
    ];
  }

  async #launch(bin) {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      this.options.persistence ? 'yes' : 'no',
      '--appendfsync',
      'everysec',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
      ...this.#tlsArgs(),
      ...(this.options.extraArgs ?? []),
    ];
    const child = spawn(bin, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: this.options.detached === true,
    });
    this.child = child;
    // Kept for the error when it does not start: a bad option is reported there, before any log file.
    this.stderrTail = '';
    child.stderr.on('data', (chunk) => (this.stderrTail = (this.stderrTail + chunk).slice(-2000)));
    let exited = false;
    child.once('exit', () => (exited = true));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !exited) {
      if (await ping(this.port)) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!exited) child.kill('SIGKILL');
    return false;
  }

  /** Stops the server (SIGTERM, then SIGKILL after 3 s) and waits until the port is closed. */
  async stop({ keepData = false } = {}) {
    const child = this.child;
    this.child = undefined;
    await endChild(child, 'SIGTERM', 3000);
    if (!keepData && this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
    else if (!keepData && this.tlsFiles) rmSync(path.join(this.dir, 'tls'), { recursive: true, force: true });
  }

  /** Kills the server at once, as a crash would (no shutdown save). */
  async kill() {
    const child = this.child;
    this.child = undefined;
    await endChild(child, 'SIGKILL');
  }

  /** Stops the server and starts it again on the same port (data kept when persistence is on). */
  async restart({ downMs = 0, crash = false } = {}) {
    if (crash) await this.kill();
    else await this.stop({ keepData: true });
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    const bin = findRedisServer();
    if (!(await this.#launch(bin)))
      throw new Error(`redis-server did not come back on port ${this.port}${this.#said()}`);
    return this.#makeUsers();
  }
}

/**
 * Sends `signal` to a child process that is still running and waits until it has exited; with
 * `killAfterMs`, a child still running by then gets SIGKILL.
 */
export async function endChild(child, signal, killAfterMs) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(timer);
}

/** Starts a private Redis and returns it. */
export async function startRedis(options) {
  return new RedisProcess(options).start();
}

export { waitFor };
