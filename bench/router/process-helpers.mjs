// What every process of the router benchmark does: say it is ready (with its port) over IPC, and stop
// when the orchestrator goes away or sends SIGTERM.

/** Tells the orchestrator this process serves, and on which port. */
export function readyOnListen(info) {
  process.send?.({ type: 'ready', ...info });
}

/** Runs `stop` (bounded to 2 s) and exits when the orchestrator disconnects or sends SIGTERM. */
export function stopOnDisconnect(stop) {
  let stopping = false;
  const end = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 2000).unref();
    Promise.resolve()
      .then(stop)
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.on('disconnect', end);
  process.on('SIGTERM', end);
}
