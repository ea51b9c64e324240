import pc from 'picocolors'

/** Where the CLI writes; tests pass their own streams. */
export interface CliIo {
  stdout: { write(chunk: string): unknown; isTTY?: boolean }
  stderr: { write(chunk: string): unknown; isTTY?: boolean }
  env: NodeJS.ProcessEnv
  cwd: string
}

/** Shared state of one CLI run: output helpers, colours, and the exit code commands set. */
export interface CliContext {
  io: CliIo
  /** Colours are off under NO_COLOR, or when stdout is not a TTY. */
  color: boolean
  c: ReturnType<typeof pc.createColors>
  exitCode: number
  out(line: string): void
  error(line: string): void
}

export function createContext(io: Partial<CliIo>): CliContext {
  const full: CliIo = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  }
  const color = !('NO_COLOR' in full.env) && full.env.FORCE_COLOR !== '0' && Boolean(full.stdout.isTTY)
  return {
    io: full,
    color,
    c: pc.createColors(color),
    exitCode: 0,
    out: (line) => void full.stdout.write(`${line}\n`),
    error: (line) => void full.stderr.write(`${line}\n`),
  }
}
