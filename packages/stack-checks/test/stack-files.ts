import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, relative } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, STACK_PATHS, interpolateCompose, repoPath } from '../src/index.js';

/** Text of a repository file. */
export function readRepoFile(rel: string): string {
  return readFileSync(repoPath(rel), 'utf8');
}

/** Parses YAML strictly: duplicate keys and other YAML errors throw. */
export function parseYaml(text: string, what: string): unknown {
  try {
    return parse(text, { strict: true, uniqueKeys: true, prettyErrors: true });
  } catch (err) {
    throw new Error(`${what} does not parse: ${(err as Error).message}`);
  }
}

export function loadYaml(rel: string): unknown {
  return parseYaml(readRepoFile(rel), rel);
}

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** An object node (asserts it is one). */
export function obj(v: unknown, what: string): Record<string, unknown> {
  assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `${what} is an object`);
  return v as Record<string, unknown>;
}

export function arr(v: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(v), `${what} is a list`);
  return v;
}

export function str(v: unknown, what: string): string {
  assert.equal(typeof v, 'string', `${what} is a string`);
  return v as string;
}

/** Every string in a parsed YAML tree interpolated as Compose does (defaults, no environment). */
export function interpolateTree(v: unknown, env: Record<string, string> = {}): unknown {
  if (typeof v === 'string') return interpolateCompose(v, env);
  if (Array.isArray(v)) return v.map((x) => interpolateTree(x, env));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateTree(x, env)]));
  }
  return v;
}

/** The compose file: as written, and with every variable at its default. */
export function loadCompose(): { raw: string; written: Record<string, unknown>; resolved: Record<string, unknown> } {
  const raw = readRepoFile(STACK_PATHS.composeFile);
  const written = obj(parseYaml(raw, STACK_PATHS.composeFile), 'compose file');
  return { raw, written, resolved: obj(interpolateTree(written), 'resolved compose file') };
}

/** Services of the resolved compose file. */
export function services(compose: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const s = obj(compose['services'], 'services');
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, obj(v, `service ${k}`)]));
}

/** A bind-mount source of the compose file, as a repository-relative path (sources are relative to docker/). */
export function composeSourcePath(source: string): string {
  const full = normalize(join(REPO_ROOT, STACK_PATHS.dockerDir, source));
  const rel = relative(REPO_ROOT, full);
  assert.ok(!rel.startsWith('..') && !isAbsolute(rel), `${source} stays inside the repository`);
  return rel;
}

/** `source:target[:mode]` of a short-syntax volume. */
export function splitVolume(spec: string): { source: string; target: string; mode?: string } {
  const parts = spec.split(':');
  assert.ok(parts.length >= 2 && parts.length <= 3, `volume "${spec}" is source:target[:mode]`);
  return { source: parts[0]!, target: parts[1]!, ...(parts[2] ? { mode: parts[2] } : {}) };
}

/** Published port `host_ip:host:container` (or shorter) of the resolved compose file. */
export function splitPort(spec: string): { hostIp?: string; host: number; container: number } {
  const parts = spec.split(':');
  const container = Number(parts.at(-1));
  const host = Number(parts.at(-2) ?? parts.at(-1));
  assert.ok(Number.isInteger(container) && Number.isInteger(host), `port "${spec}"`);
  return { ...(parts.length === 3 ? { hostIp: parts[0]! } : {}), host, container };
}

export function exists(rel: string): boolean {
  return existsSync(repoPath(rel));
}

/** `host:port` of an endpoint like `0.0.0.0:4317` or `http://jaeger:16686`. */
export function hostPort(endpoint: string): { host: string; port: number } {
  const m = /^(?:[a-z]+:\/\/)?([^:/]+):(\d+)/.exec(endpoint);
  assert.ok(m, `endpoint "${endpoint}" has host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}
