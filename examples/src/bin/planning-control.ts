#!/usr/bin/env node
import { runExample } from '../run-example.js';

// Entry point at the edge: the only place this example reads the environment.
runExample('planning-control', { databaseUrl: process.env['DATABASE_URL'] }).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
