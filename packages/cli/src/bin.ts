#!/usr/bin/env node
import { runCli } from './cli.js';
import { endQuietlyOnClosedOutput, processIo } from './io.js';

const output = endQuietlyOnClosedOutput(process, (code) => process.exit(code), (line) => process.stderr.write(`${line}\n`));

runCli(process.argv.slice(2), { ...processIo, keepRunningWhenOutputCloses: output.keepRunning }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
