#!/usr/bin/env node
import { runCli } from './program.js';

void runCli(process.argv).then((code) => {
  process.exitCode = code;
  // A CLI must not linger: should anything still hold the event loop, leave anyway.
  setTimeout(() => process.exit(code), 1000).unref();
});
