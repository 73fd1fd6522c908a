/**
 * The cancel request of an abandoned write (see `abort.test.ts`) to a server
 * that requires TLS: it carries the backend's secret key, which must not
 * cross the network in clear when the connection it cancels is encrypted
 * (anyone reading it could cancel that backend's statements for as long as
 * the pooled connection lives). Against a throwaway Postgres cluster of its
 * own with `ssl = on` and every non-TLS TCP connection refused.
 */

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Attr, EventType } from '@agentspan/semconv';
import { startThrowawayCluster, throwawayClusterUnavailable, type ThrowawayCluster } from '@agentspan/test-support';
import pg from 'pg';
import { PostgresExecutionEventExporter, WriteAbortedError } from '../src/index.js';
import { sendCancelRequest } from '../src/cancel-request.js';
import { testConnectionConfig } from '@agentspan/test-support';
import { spanFactory, type SpanFactory } from './helpers.js';

const SSL_REQUEST_CODE = 80877103;
const CANCEL_REQUEST_CODE = 80877102;

function unavailable(): string | undefined {
  const why = throwawayClusterUnavailable();
  if (why !== undefined) return why;
  return spawnSync('openssl', ['version']).status === 0 ? undefined : 'openssl is not installed (needed for the server certificate)';
}

/** The OS user owning the cluster's files, when the tests run as root (see `startThrowawayCluster`). */
function serverOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
}

/** Turns TLS on in `cluster` (a self-signed certificate) and refuses every TCP connection without it. */
async function requireTls(cluster: ThrowawayCluster): Promise<void> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    const dir = (await admin.query<{ data_directory: string }>('SHOW data_directory')).rows[0]?.data_directory as string;
    const key = join(dir, 'server.key');
    const crt = join(dir, 'server.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', key, '-out', crt], { stdio: 'pipe' });
    const owner = serverOwner();
    for (const file of [key, crt]) {
      if (owner !== undefined) chownSync(file, owner.uid, owner.gid);
      chmodSync(file, 0o600);
    }
    writeFileSync(join(dir, 'pg_hba.conf'), 'local all all trust\nhostssl all all all trust\nhostnossl all all all reject\n');
    await admin.query('ALTER SYSTEM SET ssl = on');
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.end();
  }
}

/** A plain TCP relay to `port` that records the first message of each connection (its protocol code) and every byte clients send. */
async function recordingRelay(port: number): Promise<{ port: number; firstCodes: number[]; sent: Buffer[][]; close(): Promise<void> }> {
  const firstCodes: number[] = [];
  const sent: Buffer[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    const chunks: Buffer[] = [];
    sent.push(chunks);
    client.on('data', (d: Buffer) => chunks.push(d));
    client.once('data', (d: Buffer) => firstCodes.push(d.length >= 8 ? d.readInt32BE(4) : -1));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    firstCodes,
    sent,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('an abandoned write to a server that requires TLS', { skip: unavailable() }, () => {
  let cluster: ThrowawayCluster;
  let f: SpanFactory;
  const ssl = { rejectUnauthorized: false };

  before(async () => {
    cluster = await startThrowawayCluster();
    await requireTls(cluster);
    f = spanFactory();
  });
  after(async () => {
    await f?.shutdown();
    cluster?.destroy();
  });

  it('sends its cancel request over TLS, never the secret key in clear; the statement is cancelled', async () => {
    const direct = { host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'postgres' };
    await assert.rejects(
      (async () => {
        const clear = new pg.Client(direct);
        await clear.connect();
        await clear.end();
      })(),
      /no encryption/,
      'the server refuses a connection without TLS',
    );
    const relay = await recordingRelay(cluster.port);
    const pool = new pg.Pool({ ...direct, port: relay.port, ssl, max: 1, application_name: 'abort-tls' });
    pool.on('error', () => {});
    const locker = new pg.Client({ ...direct, ssl });
    await locker.connect();
    try {
      const exporter = new PostgresExecutionEventExporter({ pool, writeMethod: 'unnest' });
      await exporter.migrate();
      const rows = exporter.prepareRows([
        f.make('execute_tool t', { [Attr.ATTR_EVENT_TYPE]: EventType.TOOL_CALL, [Attr.ATTR_RUN_ID]: 'abort-tls', [Attr.ATTR_EXECUTION_ORDER]: 1 }),
      ]).rows;
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE execution_events IN SHARE MODE');
      const abort = new AbortController();
      const write = exporter.writeMappedRows(rows, abort.signal);
      const waiting = async (): Promise<number> =>
        (await locker.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'abort-tls' AND wait_event_type = 'Lock'`)).rowCount ?? 0;
      for (let i = 0; (await waiting()) === 0; i++) {
        assert.ok(i < 250, 'the write waits for the lock');
        await new Promise((r) => setTimeout(r, 20));
      }
      const abortedAt = Date.now();
      abort.abort(new Error('given up'));
      await assert.rejects(write, WriteAbortedError);
      // Cancelled by the request (not cut at the end of the 2 s grace), the lock still held.
      assert.ok(Date.now() - abortedAt < 1500, `settled in ${Date.now() - abortedAt} ms`);
      assert.equal(await waiting(), 0);
      // Every connection through the relay opened with an SSLRequest: the pool's and the cancel's.
      assert.equal(relay.firstCodes.length, 2, `connections: ${relay.firstCodes.join(', ')}`);
      assert.ok(!relay.firstCodes.includes(CANCEL_REQUEST_CODE), 'a CancelRequest was sent in clear');
      assert.deepEqual(relay.firstCodes, [SSL_REQUEST_CODE, SSL_REQUEST_CODE]);
      await locker.query('ROLLBACK');
      await exporter.writeMappedRows(rows, new AbortController().signal);
      assert.equal((await locker.query(`SELECT 1 FROM execution_events WHERE run_id = 'abort-tls'`)).rowCount, 1);
      await exporter.shutdown();
    } finally {
      await locker.end();
      await pool.end();
      await relay.close();
    }
  });
});

describe('sendCancelRequest for a TLS client, to a server without TLS', () => {
  it('sends the SSLRequest only: declined, the secret key is not sent in clear', async () => {
    // The shared test server runs with ssl = off: it answers the SSLRequest with 'N'.
    const relay = await recordingRelay(Number(testConnectionConfig().port ?? 5432));
    try {
      const target = { processID: 4242, secretKey: 0x5ec2e7, host: '127.0.0.1', port: relay.port, ssl: { rejectUnauthorized: false } };
      assert.equal(await sendCancelRequest(target, 1000), false);
      assert.equal(relay.sent.length, 1);
      const bytes = Buffer.concat(relay.sent[0] ?? []);
      assert.equal(bytes.length, 8, `bytes sent: ${bytes.toString('hex')}`);
      assert.equal(bytes.readInt32BE(4), SSL_REQUEST_CODE);
    } finally {
      await relay.close();
    }
  });
});
