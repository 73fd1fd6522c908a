/**
 * The stages `instructions-child.ts` can run and `instructions.bench.ts`
 * counts, each including the ones before it except `code2k`: `record`
 * (the workload of §2 recorded through the public API and the processor),
 * `map` (+ the exporter's `prepareRows`), `encode` (+ `copyDataMessages`);
 * apart, `code2k` (the 2 KB `codeExecution` of §4).
 */
export const INSTRUCTION_STAGES = ['record', 'map', 'encode', 'code2k'] as const;

export type InstructionStage = (typeof INSTRUCTION_STAGES)[number];
