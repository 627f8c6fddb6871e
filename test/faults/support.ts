/**
 * Fault-test fixtures for the tests that run on an in-process stack: the audit's sources, and a
 * subgraph or gateway started as a child process (chaos/lib/child-service.ts). The paired
 * scenarios' tests run their definitions instead (test/support/scenarios.ts).
 */
import { inProcessAuditSources } from '../../chaos/lib/audit';
export { childService } from '../../chaos/lib/child-service';
export type { ChildService } from '../../chaos/lib/child-service';

/** The audit's sources on an in-process stack. */
export const auditSources = inProcessAuditSources;
