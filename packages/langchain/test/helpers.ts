/** Shared by this package's tests: the framework-adapter harness of @agentspan/test-support. */
import { startHarness as start, type Harness } from '@agentspan/test-support/harness';
import type { TestSchema } from '@agentspan/test-support';

export { eventRows, parentOf, spanNamed } from '@agentspan/test-support/harness';
export type { EventRow, Harness } from '@agentspan/test-support/harness';

export function startHarness(db: TestSchema, workspaceDir: string): Promise<Harness> {
  return start(db, workspaceDir, 'langchain-test');
}
