#!/usr/bin/env node
import { runFrameworkExample } from '../frameworks/run-framework-example.js';
import { runLangChainExample } from '../frameworks/langchain.js';

// Entry point at the edge: the only place this example reads the environment.
runFrameworkExample('langchain', runLangChainExample, { databaseUrl: process.env['DATABASE_URL'] }).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
