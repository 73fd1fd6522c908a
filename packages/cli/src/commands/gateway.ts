import { resolve as resolvePath } from 'node:path';
import { startGateway, GATEWAY_DEFAULTS, type GatewayOptions, type ServiceWorkspace } from '@agentspan/gateway';
import { integerValue, stringValue, type CommandContext, type CommandSpec } from '../command.js';
import { requireDatabaseUrl } from '../database.js';
import { UsageError } from '../io.js';

/** Environment variables the gateway command reads (flags win). */
const TOKENS_ENV = 'AGENTSPAN_GATEWAY_TOKENS';
const FORWARD_ENV = 'AGENTSPAN_GATEWAY_FORWARD_URL';

function listValue(values: CommandContext['values'], name: string): string[] {
  const v = (values as Record<string, unknown>)[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** `service=dir` pairs → workspaces, directories resolved against `cwd`. */
function workspacesFrom(pairs: string[], cwd: string): Record<string, ServiceWorkspace> {
  const out: Record<string, ServiceWorkspace> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw new UsageError(`--workspace "${pair}": expected SERVICE=DIRECTORY`);
    out[pair.slice(0, eq)] = { workspaceDir: resolvePath(cwd, pair.slice(eq + 1)) };
  }
  return out;
}

/** The gateway's options from the command line and environment (exported for tests). */
export function gatewayOptionsFrom(ctx: Pick<CommandContext, 'values' | 'database' | 'io'>): GatewayOptions {
  const { values, io } = ctx;
  const cwd = io.cwd ?? process.cwd();
  const tokens = [...listValue(values, 'token'), ...(io.env[TOKENS_ENV] ?? '').split(',')].map((t) => t.trim()).filter((t) => t !== '');
  const forward = stringValue(values, 'forward') ?? io.env[FORWARD_ENV];
  const runIdAttribute = stringValue(values, 'run-id-attribute');
  const spoolDir = stringValue(values, 'spool-dir');
  return {
    databaseUrl: requireDatabaseUrl(ctx.database, io),
    ...(ctx.database.schema ? { schema: ctx.database.schema } : {}),
    port: integerValue(values, 'port', GATEWAY_DEFAULTS.port, { min: 0, max: 65535 }),
    host: stringValue(values, 'host') ?? GATEWAY_DEFAULTS.host,
    ...(tokens.length > 0 ? { authTokens: tokens } : {}),
    ...(forward ? { forwardUrl: forward } : {}),
    ...(spoolDir ? { spoolDir: resolvePath(cwd, spoolDir) } : {}),
    workspaces: workspacesFrom(listValue(values, 'workspace'), cwd),
    maxBodyBytes: integerValue(values, 'max-body-mb', GATEWAY_DEFAULTS.maxBodyBytes / (1024 * 1024), { min: 1, max: 1024 }) * 1024 * 1024,
    ackTimeoutMillis: integerValue(values, 'ack-timeout-ms', GATEWAY_DEFAULTS.ackTimeoutMillis, { min: 100, max: 600_000 }),
    ...(runIdAttribute !== undefined ? { runIdAttribute: runIdAttribute === '' || runIdAttribute === 'trace' ? null : runIdAttribute } : {}),
    captureContent: values['no-content'] !== true,
  };
}

/** Resolves at the first SIGINT or SIGTERM (and stops listening for them). */
function nextStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** `agentspan gateway`: an OTLP/HTTP endpoint writing agents' spans (any language) to Postgres. */
export const gatewayCommand: CommandSpec = {
  name: 'gateway',
  summary: 'serve OTLP/HTTP traces (Python AG2, any OTel SDK, a Collector) into execution_events',
  usage: 'agentspan gateway [--port 4318] [--host 127.0.0.1] [--token T] [--forward URL] [--workspace SERVICE=DIR]',
  optionHelp: [
    '--port N               port of the OTLP/HTTP endpoint POST /v1/traces (default 4318; 0: any free port)',
    '--host ADDR            address to listen on (default 127.0.0.1; 0.0.0.0 in a container, with --token)',
    `--token T              bearer token senders must present (repeatable; also ${TOKENS_ENV}=t1,t2)`,
    `--forward URL          also send every span to this OTLP/HTTP traces URL, e.g. Jaeger's http://jaeger:4318/v1/traces; not the gateway's own address (also ${FORWARD_ENV})`,
    '--spool-dir DIR        spool spans to disk while Postgres is down (acknowledged once on disk)',
    '--workspace SVC=DIR    capture generated files of service SVC from DIR (repeatable; default: no file content)',
    '--run-id-attribute K   span attribute naming the run (default gen_ai.conversation.id; "trace": the trace id)',
    '--max-body-mb N        largest request body, compressed or not (default 16)',
    '--ack-timeout-ms N     answer 503 (retry) when spans are not committed within N ms (default 8000)',
    '--no-content           keep metadata only: no messages, code, outputs or file content',
  ],
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string', multiple: true },
    forward: { type: 'string' },
    'spool-dir': { type: 'string' },
    workspace: { type: 'string', multiple: true },
    'run-id-attribute': { type: 'string' },
    'max-body-mb': { type: 'string' },
    'ack-timeout-ms': { type: 'string' },
    'no-content': { type: 'boolean' },
  },
  maxPositionals: 0,
  async run(ctx) {
    const options = gatewayOptionsFrom(ctx);
    // A server: a log reader going away must not end it (see `endQuietlyOnClosedOutput`).
    ctx.io.keepRunningWhenOutputCloses?.();
    const stopped = nextStopSignal();
    const gateway = await startGateway({
      ...options,
      logger: { info: (m) => ctx.io.err(m), warn: (m) => ctx.io.err(`warning: ${m}`) },
    });
    if (ctx.json) ctx.io.out(JSON.stringify({ url: gateway.url, endpoint: `${gateway.url}/v1/traces`, port: gateway.port }));
    else ctx.io.out(`agentspan gateway: OTLP/HTTP traces at ${gateway.url}/v1/traces (health: ${gateway.url}/health); Ctrl-C stops it`);
    const signal = await stopped;
    ctx.io.err(`agentspan gateway: ${signal}, shutting down (flushing to Postgres)`);
    await gateway.shutdown();
    const s = gateway.stats();
    ctx.io.err(
      `agentspan gateway: ${s.spansReceived} span(s) received, ${s.postgres.exported} written, ${s.postgres.spooled} spooled, ${s.postgres.droppedTotal} dropped`,
    );
    return 0;
  },
};
