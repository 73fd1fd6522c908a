/**
 * A proxy in front of Postgres that forwards everything until a client sends
 * a ROLLBACK: from then on that connection passes nothing either way (a
 * server or link that stopped answering just then), and is never closed.
 * Cancel requests (their own connections) pass. Shared by the tests of the
 * bounded ROLLBACK (the writer's, the migrations', the CLI's `migrate`).
 */

import * as net from 'node:net';

export interface SilentAtRollbackProxy {
  readonly port: number;
  /** ROLLBACKs swallowed so far (one per connection at most). */
  readonly swallowed: number;
  /** Destroys every socket (the stalled ones included) and stops listening. */
  close(): Promise<void>;
}

export async function silentAtRollback(target: { host: string; port: number }): Promise<SilentAtRollbackProxy> {
  const sockets = new Set<net.Socket>();
  const state = { swallowed: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    let silent = false;
    client.on('data', (d) => {
      if (!silent && d.includes('ROLLBACK')) {
        silent = true;
        state.swallowed += 1;
      }
      if (!silent) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!silent) client.write(d);
    });
    upstream.on('close', () => {
      if (!silent) client.destroy();
    });
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get swallowed() {
      return state.swallowed;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
