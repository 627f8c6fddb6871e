import { Migration } from '@mikro-orm/migrations';

export class Migration20261125003616 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`user\` (\`id\` varchar(36) not null, \`roles\` json not null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
  }

}
