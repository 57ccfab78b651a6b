import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** An error the CLI reports as one line on stderr, exiting with its {@link ExitCode}. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad arguments or options; the message says what to give instead. Exit code 1. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}

/** A service, instance or config label that is not there. Exit code 3. */
export class NotFoundError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.NotFound);
  }
}

/** The service named has never registered in this Redis. Exit code 3. */
export class UnknownServiceError extends NotFoundError {
  constructor(
    readonly service: string,
    where: string,
  ) {
    super(
      `unknown service "${service}": it is not registered at ${where}; ` +
        '`hydra-nest services` lists the registered ones (check --redis and the db)',
    );
  }
}
