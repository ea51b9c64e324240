// Builds the server with webpack 5 (Node API: no webpack-cli needed) and @galley/unplugin/webpack.
//
//   node webpack.build.mjs           production build -> dist/server.mjs (a lint error fails it)
//   node webpack.build.mjs --watch   watch build; with dev.emulator the plugin starts the local emulator, publishes
//                                    the templates and sets CRAFTKIT_* in this process; the server is (re)started
//                                    as a child process after every successful build and inherits them.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import galley from '@galley/unplugin/webpack'
import webpack from 'webpack'

const root = dirname(fileURLToPath(import.meta.url))
const watch = process.argv.includes('--watch')

/** @type {import('webpack').Configuration} */
const config = {
  mode: watch ? 'development' : 'production',
  target: 'node20', // a server bundle: the plugin refuses the generated module in browser targets
  context: root,
  entry: './src/server.ts',
  output: { path: join(root, 'dist'), filename: 'server.mjs', module: true, chunkFormat: 'module', clean: true },
  experiments: { outputModule: true },
  resolve: { extensions: ['.ts', '.js', '.mjs'] },
  module: { rules: [{ test: /\.ts$/, loader: 'esbuild-loader', options: { loader: 'ts', target: 'node20' } }] },
  optimization: { minimize: false },
  devtool: false,
  stats: 'errors-warnings',
  plugins: [
    // dev.emulator only acts in watch builds. Set CRAFTKIT_BASE_URL yourself to use another deployment instead.
    galley({ dev: { emulator: !process.env.CRAFTKIT_BASE_URL } }),
  ],
}

const compiler = webpack(config)

if (!watch) {
  compiler.run((error, stats) => {
    if (error) console.error(error)
    else if (stats) console.log(stats.toString({ colors: false, preset: stats.hasErrors() ? 'errors-warnings' : 'minimal' }))
    process.exitCode = error || stats?.hasErrors() ? 1 : 0
    compiler.close((closeError) => {
      if (closeError) console.error(closeError)
    })
  })
} else {
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let server
  const stopServer = () =>
    new Promise((resolve) => {
      if (!server || server.exitCode !== null || !server.pid) return resolve(undefined)
      server.once('exit', resolve)
      process.kill(server.pid, 'SIGTERM')
    })
  const watching = compiler.watch({}, async (error, stats) => {
    if (error || stats?.hasErrors()) {
      console.error(error ?? stats?.toString({ colors: false, preset: 'errors-warnings' }))
      return // keep the last good server running; the watch waits for the fix
    }
    await stopServer()
    server = spawn(process.execPath, [join(root, 'dist/server.mjs')], { stdio: 'inherit', env: process.env })
  })
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      void stopServer().then(() => watching.close(() => process.exit(0)))
    })
  }
}
