#!/usr/bin/env node
import { main } from '../dist/index.mjs'

// `galley lint | head` closes the pipe early: that is the reader's choice, not an error to print a stack for.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
