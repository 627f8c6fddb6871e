import { Migration } from '@mikro-orm/migrations';

/** A sale may sit behind a waiting room (platform waiting-room/): orders then need a served ticket. */
export class Migration20261206210000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`product\` add \`waiting_room_enabled\` tinyint(1) not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table \`product\` drop column \`waiting_room_enabled\`;`);
  }
}
