#!/usr/bin/env node
import { runFrameworkExample } from '../frameworks/run-framework-example.js';
import { runAiSdkExample } from '../frameworks/ai-sdk.js';

// Entry point at the edge: the only place this example reads the environment.
runFrameworkExample('ai-sdk', runAiSdkExample, { databaseUrl: process.env['DATABASE_URL'] }).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
