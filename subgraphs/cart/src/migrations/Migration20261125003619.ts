import { Migration } from '@mikro-orm/migrations';

export class Migration20261125003619 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`cart_item\` (\`user_id\` varchar(36) not null, \`product_id\` varchar(36) not null, \`quantity\` int not null, \`added_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, primary key (\`user_id\`, \`product_id\`)) default character set utf8mb4 engine = InnoDB;`);
  }

}
