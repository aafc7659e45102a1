// The check behind "the dry run is the plan the real run carries out": a command run with --dry-run, then for real,
// both with BERTH_OPERATION_LOG set; the steps the executor performed (and, operation by operation, what it did)
// must be exactly those the dry run printed. Shared by dry-run.test.ts and run-plan.test.ts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult, TestProject } from './helpers.js';

export interface OperationRecord {
  readonly step: string;
  readonly operation: string;
  readonly dryRun: boolean;
}

function records(file: string): OperationRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as OperationRecord);
}

let runs = 0;

/** Runs `args` dry, then for real (which must exit `code`); asserts that both did the same; the real run's records. */
export async function sameAsDryRun(project: TestProject, args: readonly string[], code = 0): Promise<OperationRecord[]> {
  return (await dryThenReal(project, args, code)).performed;
}

/** sameAsDryRun, also giving what the real run printed. */
export async function dryThenReal(project: TestProject, args: readonly string[], code = 0): Promise<{ performed: OperationRecord[]; real: RunResult }> {
  const label = `berth ${args.join(' ')}`;
  runs++;
  const dryLog = join(project.dir, `dry-${runs}.jsonl`);
  const realLog = join(project.dir, `real-${runs}.jsonl`);
  const dry = await project.run(['--dry-run', ...args], { env: { BERTH_OPERATION_LOG: dryLog } });
  assert.equal(dry.code, 0, `${label} --dry-run: ${dry.stderr}`);
  const real = await project.run(args, { env: { BERTH_OPERATION_LOG: realLog } });
  assert.equal(real.code, code, `${label}: ${real.stderr}`);
  const printed = dry.stdout
    .split('\n')
    .filter((line) => line.startsWith('DRY-RUN MODE - ') && line !== 'DRY-RUN MODE - nothing to do')
    .map((line) => line.slice('DRY-RUN MODE - '.length))
    .sort();
  const performed = records(realLog);
  const wouldHave = records(dryLog);
  assert.deepEqual([...new Set(performed.map((record) => record.step))].sort(), printed, `${label}: the steps performed are the steps printed`);
  assert.deepEqual(performed.map((record) => record.operation).sort(), wouldHave.map((record) => record.operation).sort(), `${label}: operation by operation`);
  assert.ok(wouldHave.every((record) => record.dryRun) && performed.every((record) => !record.dryRun));
  return { performed, real };
}

/** The kinds of operation performed, each once, sorted. */
export const kinds = (done: readonly OperationRecord[]): string[] => [...new Set(done.map((record) => record.operation.split(':')[0]!))].sort();
