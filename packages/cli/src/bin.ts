#!/usr/bin/env node
import { runCli } from './program.js';

void runCli(process.argv).then((code) => {
  process.exitCode = code;
  // A CLI must not linger: should anything still hold the event loop (a Sentinel client's retry
  // timer after a failed connection), leave anyway once the output is flushed.
  setTimeout(() => process.exit(code), 250).unref();
});
