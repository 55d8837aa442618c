#!/usr/bin/env node
// tsbgpd: the daemon. Config, logger, speaker, control socket, signals (HUP reload, TERM/INT shutdown).
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import pino from 'pino';
import { TsbgpError } from '../errors.js';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { ControlServer } from '../control/server.js';
import { fileBackend } from '../daemon/store.js';
import { Speaker } from '../daemon/speaker.js';
import { realClock } from '../bgp/fsm/clock.js';
import type { StopMode } from '../bgp/fsm/types.js';
import { realProber } from '../health/probes.js';
import { ExaConfigError, importExaBgp } from '../exabgp/import.js';
import { ExaPipe } from '../exabgp/pipe.js';
import { VERSION } from '../version.js';
import { isLoopbackAddress } from '../config/sections/http.js';
import { HttpServer } from '../http/server.js';

interface Options {
  config?: string;
  checkConfig?: string;
  pretty?: boolean;
  socket?: string;
}

async function makeLogger(level: Config['logLevel'], pretty: boolean): Promise<pino.Logger> {
  const opts: pino.LoggerOptions = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (!pretty) return pino(opts);
  // Loaded only when asked for: a synchronous stream, no worker thread.
  const { default: prettyStream } = await import('pino-pretty');
  // One line per event, the peer first: `[12:00:01.250] WARN: 10.10.1.4 session down: ... {"reason":...}`.
  return pino(
    opts,
    prettyStream({
      colorize: process.stdout.isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,peer',
      singleLine: true,
      messageFormat: '{if peer}{peer} {end}{msg}',
      sync: true,
    }),
  );
}

async function checkConfig(file: string): Promise<number> {
  try {
    const c = await loadConfig(file);
    const { hostAddresses, localAddressWarnings } = await import('../config/local-address.js');
    for (const w of localAddressWarnings(c, hostAddresses())) process.stderr.write(`${file}: warning: ${w}\n`);
    if (c.http && !isLoopbackAddress(c.http.address)) {
      process.stderr.write(`${file}: warning: http.address ${c.http.address} is not loopback: anyone who can reach it reads the metrics and the status page (no authentication)\n`);
    }
    process.stdout.write(`${file}: OK (router-id ${c.routerId}, AS ${c.localAs}, ${c.neighbors.length} neighbors, ${c.routes.length} routes, ${c.vips.length} VIPs)\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

async function run(file: string, o: Options): Promise<number> {
  let config: Config;
  try {
    config = await loadConfig(file);
  } catch (e) {
    process.stderr.write(`tsbgpd: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (o.socket) config = { ...config, control: { ...config.control, socket: o.socket } };
  const log = await makeLogger(config.logLevel, o.pretty ?? process.stdout.isTTY === true);
  const stateFile = config.stateFile;
  // Set once the speaker and the control socket exist (below); the speaker calls it for `bgpctl shutdown`.
  let shutdown: (why: string, mode: StopMode) => Promise<void>;
  const speaker = new Speaker({
    config,
    log,
    reloadConfig: async () => {
      const next = await loadConfig(file);
      return o.socket ? { ...next, control: { ...next.control, socket: o.socket } } : next;
    },
    ...(stateFile ? { state: fileBackend(stateFile), vipStatePath: `${stateFile}.vips` } : {}),
    prober: realProber(realClock),
    // `bgpctl shutdown`: the reply goes out first (setImmediate: after its write is queued), then the
    // same stop as a signal's.
    shutdown: (mode) => setImmediate(() => void shutdown(mode === 'hard' ? 'bgpctl shutdown --hard' : 'bgpctl shutdown', mode)),
  });
  // Whatever way the daemon exits (a second signal, an internal error), its programs go with it.
  process.on('exit', () => speaker.terminatePrograms());
  const control = new ControlServer({ path: config.control.socket, mode: config.control.mode, speaker, logger: log.child({ component: 'control' }) });
  const x = config.exabgp;
  const pipe = x ? new ExaPipe({ path: x.pipe, mode: x.pipeMode, speaker, log: log.child({ component: 'exabgp-pipe' }) }) : undefined;
  const h = config.http;
  const httpServer = h && (h.metrics || h.web) ? new HttpServer({ address: h.address, port: h.port, log: log.child({ component: 'http' }) }) : undefined;
  // Subscribed before the start, so that the moves the start makes are counted.
  const metrics = h?.metrics ? new (await import('../http/metrics.js')).Metrics({ speaker }) : undefined;
  if (httpServer && metrics) metrics.attach(httpServer);
  // The status page and its WebSocket (ws): loaded only when asked for, never in the BGP path.
  const web = httpServer && h!.web ? (await import('../http/web.js')).attachWeb(httpServer, speaker) : undefined;
  try {
    await control.listen();
    await speaker.start();
    // After the start: what waited in the pipe across a restart is applied over the restored intents.
    await pipe?.open();
    await httpServer?.listen();
  } catch (e) {
    // A corrupt state file stops us here: starting with the config's routes could revert the VIP.
    log.fatal({ err: e instanceof Error ? e.message : String(e) }, 'cannot start');
    await httpServer?.close();
    await pipe?.close('graceful').catch(() => {});
    await control.close().catch(() => {});
    await speaker.stop().catch(() => {});
    return 1;
  }
  if (httpServer) log.info({ address: h!.address, port: httpServer.port, metrics: h!.metrics, web: h!.web }, 'http listening');
  log.info({ config: file, socket: config.control.socket, routerId: config.routerId, localAs: config.localAs }, 'tsbgpd started');

  let stopping = false;
  shutdown = async (why: string, mode: StopMode): Promise<void> => {
    if (stopping) {
      log.warn({ signal: why }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal: why, mode }, mode === 'graceful' ? 'shutting down gracefully: graceful-restart peers keep our routes' : 'shutting down hard: peers flush our routes');
    // The pipe first: the lines it has read are applied before the peers hear we stop.
    await pipe?.close(mode === 'hard' ? 'hard' : 'graceful');
    web?.close();
    await httpServer?.close();
    metrics?.close();
    const saved = await speaker.stop(mode, 'tsbgpd shutting down');
    await control.close();
    // EX_TEMPFAIL: a supervisor and the operator must see that the last change is not on disk.
    if (!saved) {
      log.fatal({}, 'stopped with intents NOT saved to the state file');
      process.exit(75);
    }
    log.info({}, 'stopped');
    process.exit(0);
  };
  // A signal is a restart (a supervisor's stop, an upgrade): graceful. Decommissioning is `bgpctl shutdown --hard`.
  process.on('SIGTERM', () => void shutdown('SIGTERM', 'graceful'));
  process.on('SIGINT', () => void shutdown('SIGINT', 'graceful'));
  process.on('SIGHUP', () => {
    speaker.reload().then(
      (r) => log.info({ ...r }, 'SIGHUP: configuration reloaded'),
      (e: unknown) => log.error({ err: e instanceof TsbgpError || e instanceof ConfigError ? e.message : String(e) }, 'SIGHUP: reload failed, the running configuration stays'),
    );
  });
  return new Promise<number>(() => {}); // runs until a signal
}

const program = new Command('tsbgpd')
  .description('tsbgp BGP-4 speaker daemon')
  .version(VERSION, '-V, --version', "print tsbgp's version")
  .option('-c, --config <file>', 'configuration file (YAML)')
  .option('--check-config <file>', 'validate a configuration file and exit')
  .option('--pretty', 'human-readable logs (default when stdout is a terminal)')
  .option('--no-pretty', 'JSON logs even on a terminal')
  .option('--socket <path>', 'control socket path (overrides control.socket)')
  .showHelpAfterError()
  .action(async (o: Options) => {
    if (o.checkConfig) {
      process.exitCode = await checkConfig(o.checkConfig);
      return;
    }
    if (!o.config) {
      process.stderr.write('tsbgpd: --config FILE is required (see examples/azure-watcher.yaml)\n');
      process.exitCode = 2;
      return;
    }
    process.exitCode = await run(o.config, o);
  });

program
  .command('import-exabgp')
  .description('print an ExaBGP 4.x config as a tsbgp YAML config; what cannot be carried over is listed at its top')
  .argument('<file>', 'the ExaBGP config file (e.g. /etc/exabgp/exabgp.conf)')
  .option('--json', 'print {"config": YAML text, "notCarried": [{line, exabgp, reason}]} instead')
  .action(async (file: string, o: { json?: boolean }) => {
    process.exitCode = await importCommand(file, o.json === true);
  });

/** 0 with a config printed (items not carried over or not), 1 when the ExaBGP file cannot be read or parsed. */
async function importCommand(file: string, json: boolean): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    process.stderr.write(`tsbgpd import-exabgp: ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  try {
    const r = importExaBgp(text, file);
    if (json) process.stdout.write(`${JSON.stringify({ config: r.yaml, notCarried: r.notCarried })}\n`);
    else process.stdout.write(r.yaml);
    if (r.notCarried.length > 0) process.stderr.write(`tsbgpd import-exabgp: ${r.notCarried.length} thing(s) not carried over, listed ${json ? 'in notCarried' : 'at the top of the config'}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof ExaConfigError)) throw e;
    process.stderr.write(`tsbgpd import-exabgp: ${e.message}\n`);
    return 1;
  }
}

process.on('uncaughtException', (err) => {
  process.stderr.write(`tsbgpd: internal error: ${err.stack ?? err.message}\n`);
  process.exit(70);
});

await program.parseAsync(process.argv);
