// The shell's own failures, in zkCli.sh's two kinds: a command error (its CliException: one line on
// stderr, the shell goes on) and an uncaught Java exception (the JVM prints it and exits 1).

/** A command that failed as zkCli's CliException does: `message` goes to stderr, the exit code is kept. */
export class CliError extends Error {
  override readonly name = 'CliError'
  /** zkCli's exit code for it: 1, or 127 for an unknown command. */
  readonly exitCode: number

  constructor(message: string, exitCode = 1) {
    super(message)
    this.exitCode = exitCode
  }
}

/**
 * What zkCli does not catch (a version that is not a number, an addWatch path without "/"): the JVM
 * prints `Exception in thread "main" <javaClass>: <message>` and exits 1, ending the shell.
 */
export class JavaCrash extends Error {
  override readonly name = 'JavaCrash'

  constructor(
    /** The Java exception class, e.g. "java.lang.NumberFormatException". */
    readonly javaClass: string,
    message: string,
  ) {
    super(message)
  }

  /** The line the JVM prints on stderr. */
  get line(): string {
    return `Exception in thread "main" ${this.javaClass}: ${this.message}`
  }
}
