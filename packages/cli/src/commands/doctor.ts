import { isAbsolute, resolve } from 'node:path';
import { stringValue, type CommandSpec } from '../command.js';
import { databaseUrlFrom } from '../database-url.js';
import type { CheckResult } from '../doctor/checks.js';
import { checkDatabase } from '../doctor/database-check.js';
import { checkOtlp, otlpEndpointFrom } from '../doctor/otlp-check.js';
import { checkSpool, DEFAULT_SPOOL_DIR } from '../doctor/spool-check.js';

/** `AGENTSPAN_SPOOL_DIR` values that turn the spool off (as `startAgentspan` reads them). */
const SPOOL_OFF = ['off', 'false', 'none', '0'];
import type { Colors } from '../format/colors.js';
import { maxOf } from '../format/text.js';

const MARKS: Record<CheckResult['status'], string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

/** One line per check, and an indented `→ fix` line under the ones that need doing. */
export function formatChecks(checks: readonly CheckResult[], colors: Colors): string {
  const width = maxOf(checks.map((c) => c.name.length), 0);
  const paint = { ok: colors.green, warn: colors.yellow, fail: colors.red, skip: colors.dim };
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${paint[c.status](MARKS[c.status])} ${c.name.padEnd(width)}  ${c.detail}`);
    if (c.fix && c.status !== 'ok') lines.push(`  ${' '.repeat(width)}  ${colors.dim('→')} ${c.fix}`);
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  lines.push('', failed === 0 ? colors.green('everything needed works') : colors.red(`${failed} check${failed === 1 ? '' : 's'} failed`));
  return lines.join('\n');
}

/** `agentspan doctor`: database, migrations, OTLP endpoint, spool. */
export const doctorCommand: CommandSpec = {
  name: 'doctor',
  summary: 'check the database connection, migrations, the OTLP endpoint and the spool, and say what to fix',
  usage: 'agentspan doctor [--otlp-endpoint URL] [--spool-dir DIR]',
  optionHelp: [
    '--otlp-endpoint URL    OTLP/HTTP traces endpoint to check (default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,',
    '                       else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces; none: the check is skipped)',
    `--spool-dir DIR        spool directory (default: AGENTSPAN_SPOOL_DIR, else ${DEFAULT_SPOOL_DIR})`,
  ],
  options: { 'otlp-endpoint': { type: 'string' }, 'spool-dir': { type: 'string' } },
  maxPositionals: 0,
  async run(ctx) {
    const url = databaseUrlFrom(ctx.database.databaseUrl, ctx.io.env);
    const spoolFlag = stringValue(ctx.values, 'spool-dir');
    const spoolEnv = ctx.io.env['AGENTSPAN_SPOOL_DIR']?.trim();
    const spoolGiven = spoolFlag ?? (spoolEnv || undefined) ?? DEFAULT_SPOOL_DIR;
    const spoolDir = isAbsolute(spoolGiven) ? spoolGiven : resolve(ctx.io.cwd ?? process.cwd(), spoolGiven);
    // The values that turn the spool off, as startAgentspan reads the variable.
    const spoolOff = spoolFlag === undefined && spoolEnv !== undefined && SPOOL_OFF.includes(spoolEnv.toLowerCase());
    const [database, otlp, spool] = await Promise.all([
      checkDatabase(url, ctx.database.schema),
      checkOtlp(otlpEndpointFrom(stringValue(ctx.values, 'otlp-endpoint'), ctx.io.env)),
      spoolOff
        ? { name: 'spool', status: 'ok' as const, detail: `off (AGENTSPAN_SPOOL_DIR=${spoolEnv}): spans that cannot be delivered are dropped and counted` }
        : checkSpool(spoolDir, spoolGiven),
    ]);
    const checks = [...database, otlp, spool];
    const ok = checks.every((c) => c.status !== 'fail');
    if (ctx.json) ctx.io.out(JSON.stringify({ ok, checks }, null, 2));
    else ctx.io.out(formatChecks(checks, ctx.colors));
    return ok ? 0 : 1;
  },
};
