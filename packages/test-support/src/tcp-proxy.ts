/**
 * A TCP proxy on loopback, for fault tests: it forwards to a target (a real
 * Postgres) and can refuse new connections, black-hole traffic, or cut every
 * connection at once, in the middle of whatever is being sent.
 */

import * as net from 'node:net';

/** `forward`: a plain proxy. `refuse`: new connections are reset at once. `blackhole`: bytes are swallowed, nothing answers. */
export type ProxyMode = 'forward' | 'refuse' | 'blackhole';

export interface TcpProxy {
  /** Port the proxy listens on (127.0.0.1). */
  readonly port: number;
  mode: ProxyMode;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  /** Destroys every open connection (both sides); returns how many. */
  cutAll(): number;
  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | undefined }>();
  let accepted = 0;
  const state = { mode: 'forward' as ProxyMode };
  const server = net.createServer((client) => {
    accepted += 1;
    client.on('error', () => {});
    if (state.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const pair: { client: net.Socket; upstream: net.Socket | undefined } = { client, upstream: undefined };
    pairs.add(pair);
    const closeBoth = (): void => {
      pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('close', closeBoth);
    if (state.mode === 'blackhole') {
      client.on('data', () => {});
      return;
    }
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => {});
    upstream.on('close', closeBoth);
    client.on('data', (d) => {
      if (state.mode === 'forward') upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (state.mode === 'forward') client.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    get mode() {
      return state.mode;
    },
    set mode(m: ProxyMode) {
      state.mode = m;
    },
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    cutAll() {
      const n = pairs.size;
      for (const p of [...pairs]) {
        p.client.resetAndDestroy();
        p.upstream?.resetAndDestroy();
        pairs.delete(p);
      }
      return n;
    },
    url(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(address.port);
      return u.toString();
    },
    close() {
      for (const p of [...pairs]) {
        p.client.destroy();
        p.upstream?.destroy();
      }
      pairs.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
