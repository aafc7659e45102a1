// `up --report`: what the report (src/report/report.ts) is made of, read from the engine once up (and its wait)
// has ended: every container of the chosen services, inspected, and the last log lines of those that failed.
// Then the report written to a file or stdout.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { streamLogs } from '../app/container-logs.js';
import { serviceContainers } from '../apply/start.js';
import type { ContainerWait } from '../apply/start.js';
import type { Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { buildReport, LOG_LINES, needsLogs } from '../report/report.js';
import type { ContainerFacts, ReportFacts, UpReport } from '../report/report.js';

export interface ReportInputs extends Omit<ReportFacts, 'containers'> {
  readonly waits: readonly ContainerWait[];
}

/** A container's logs that cannot be read (gone, or the engine refuses) leave a line saying so in their place. */
const LOGS_TIMEOUT_MS = 10_000;

export async function collectReport(engine: Engine, inputs: ReportInputs): Promise<UpReport> {
  const byService = await serviceContainers(engine, inputs.project);
  const waits = new Map(inputs.waits.map((wait) => [wait.id, wait]));
  const summaries = inputs.services.flatMap((service) => byService.get(service) ?? []);
  const containers: ContainerFacts[] = await Promise.all(
    summaries.map(async (summary) => {
      const details = await engine.containers.inspect(summary.id);
      const wait = waits.get(summary.id);
      const facts = { summary, details, ...(wait ? { wait } : {}) };
      return needsLogs(facts) ? { ...facts, logs: await lastLines(engine, summary.id, details?.tty ?? false) } : facts;
    }),
  );
  const { waits: _waits, ...rest } = inputs;
  return buildReport({ ...rest, containers });
}

async function lastLines(engine: Engine, id: string, tty: boolean): Promise<string[]> {
  const lines: string[] = [];
  const signal = AbortSignal.timeout(LOGS_TIMEOUT_MS);
  try {
    await streamLogs(engine, id, { follow: false, tail: String(LOG_LINES), tty, signal }, (line) => lines.push(line));
  } catch (error) {
    lines.push(`(berth: could not read the logs: ${signal.aborted ? 'timed out' : error instanceof Error ? error.message : String(error)})`);
  }
  return lines.slice(-LOG_LINES);
}

/** `--report -` writes to stdout; anything else is a file path, written whole. */
export function writeReport(report: UpReport, target: string, stdout: NodeJS.WritableStream, cwd: string): void {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (target === '-') {
    stdout.write(text);
    return;
  }
  try {
    writeFileSync(resolve(cwd, target), text);
  } catch (error) {
    throw new BerthError(`cannot write the report to ${target}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
