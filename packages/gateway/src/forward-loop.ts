/**
 * Guards against forwarding loops. A gateway that forwards to its own
 * address receives every span again, forwards it again, and so on for
 * ever (one request becomes an unbounded stream of them). Two guards:
 * a `forwardUrl` naming the gateway's own listening address is refused at
 * start ({@link forwardsToItself}), and forwarded requests carry
 * {@link FORWARDED_HEADER}, which a gateway never forwards again (a loop
 * through a proxy, or through a second gateway, stops after one hop).
 */

import { hostname, networkInterfaces } from 'node:os';
import { isIPv4, isIPv6 } from 'node:net';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Header set on every request the gateway forwards; a request carrying it is stored but not forwarded again. */
export const FORWARDED_HEADER = 'x-agentspan-forwarded';

/** Where the gateway listens: the `host` it binds and its port. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `host` without IPv6 brackets, lower case. */
function bare(host: string): string {
  const h = host.toLowerCase();
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** Binding it listens on every interface (`0.0.0.0`, `::`); connecting to it reaches this host. */
function isAnyAddress(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}

function isLoopback(host: string): boolean {
  if (isLoopbackName(host)) return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (isIPv6(host)) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
  return false;
}

/** This host's names and interface addresses (what a URL may use to reach a gateway bound to every interface). */
function ownNames(): Set<string> {
  const names = new Set<string>();
  try {
    const name = hostname().toLowerCase();
    names.add(name);
    names.add(name.split('.', 1)[0] as string);
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) names.add(bare(i.address));
  } catch {
    // No names known: only the loopback and listening-host checks apply.
  }
  return names;
}

/**
 * Whether `forwardUrl` names the gateway listening at `listen`: the same
 * port, on the host it binds; on a loopback name or any-interface address
 * while it binds a loopback address; on any loopback or own name or address
 * while it binds every interface. No name is resolved (a gateway behind a name
 * that only DNS maps back to it is caught by {@link FORWARDED_HEADER}).
 * An unparseable URL is left to the OTLP exporter.
 */
export function forwardsToItself(forwardUrl: string, listen: ListenAddress): boolean {
  let url: URL;
  try {
    url = new URL(forwardUrl);
  } catch {
    return false;
  }
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : Number.NaN;
  if (port !== listen.port) return false;
  const target = bare(url.hostname);
  const bound = bare(listen.host);
  if (target === bound) return true;
  if (isAnyAddress(bound)) return isLoopback(target) || isAnyAddress(target) || ownNames().has(target);
  if (!isLoopback(bound)) return false;
  // Bound to one loopback address: another one (127.0.0.2, ::1 for 127.0.0.1) is another socket; a
  // loopback name may resolve to the bound address, and 0.0.0.0 reaches the local one.
  return isAnyAddress(target) || isLoopbackName(target) || (isLoopbackName(bound) && isLoopback(target));
}

function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === 'ip6-localhost' || host === 'ip6-loopback';
}

/**
 * A span processor that passes spans on to `inner` except while
 * {@link GatedSpanProcessor.withoutForwarding} runs: the gateway replays a
 * request synchronously inside it when the request was itself forwarded.
 */
export class GatedSpanProcessor implements SpanProcessor {
  private closed = false;

  constructor(private readonly inner: SpanProcessor) {}

  /** Runs `fn` (synchronous) with spans kept from `inner`. */
  withoutForwarding(fn: () => void): void {
    const before = this.closed;
    this.closed = true;
    try {
      fn();
    } finally {
      this.closed = before;
    }
  }

  onStart(span: Span, parentContext: Context): void {
    if (!this.closed) this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (!this.closed) this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
