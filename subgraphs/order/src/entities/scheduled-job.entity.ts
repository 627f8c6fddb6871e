import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One row per scheduled job: the last calendar day (in the job's time zone) whose run finished.
 * A replica that starts after a missed midnight sees the gap and runs the missed days in order.
 */
@Entity({ tableName: 'scheduled_job' })
export class ScheduledJob {
  @PrimaryKey({ length: 64 })
  name!: string;

  /** ISO date (yyyy-MM-dd) of the last midnight processed. */
  @Property({ length: 10 })
  lastRunDate!: string;

  @Property({ type: 'datetime', length: 3 })
  lastRunAt!: Date;
}
