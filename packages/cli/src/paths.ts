import { sep } from 'node:path'

/** A relative path as the CLI prints it (and as diagnostics and reports hold it): `/` separators on every OS. */
export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/')
}
