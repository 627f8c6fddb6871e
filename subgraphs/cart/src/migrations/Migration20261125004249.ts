import { Migration } from '@mikro-orm/migrations';

export class Migration20261125004249 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`cart\` (\`user_id\` varchar(36) not null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, primary key (\`user_id\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`create table \`processed_event\` (\`event_id\` varchar(36) not null, \`stream\` varchar(64) not null, \`processed_at\` datetime(3) not null, primary key (\`event_id\`)) default character set utf8mb4 engine = InnoDB;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`cart\`;`);

    this.addSql(`drop table if exists \`processed_event\`;`);
  }

}
