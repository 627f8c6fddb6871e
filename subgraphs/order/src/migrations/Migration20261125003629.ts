import { Migration } from '@mikro-orm/migrations';

export class Migration20261125003629 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`order\` (\`id\` varchar(36) not null, \`user_id\` varchar(36) not null, \`status\` enum('PENDING_PAYMENT', 'PAYMENT_FAILED', 'EXPIRED', 'PREPARING', 'SHIPPING', 'DELIVERED', 'CANCELED', 'RETURN_REQUESTED', 'RETURNED') not null default 'PENDING_PAYMENT', \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`order\` add index \`order_user_id_created_at_id_index\`(\`user_id\`, \`created_at\`, \`id\`);`);

    this.addSql(`create table \`order_item\` (\`id\` varchar(36) not null, \`order_id\` varchar(36) not null, \`product_id\` varchar(36) not null, \`quantity\` int not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`order_item\` add index \`order_item_order_id_index\`(\`order_id\`);`);

    this.addSql(`create table \`outbox\` (\`id\` int unsigned not null auto_increment primary key, \`event_id\` varchar(36) not null, \`stream\` varchar(64) not null, \`type\` varchar(64) not null, \`payload\` json not null, \`created_at\` datetime(3) not null, \`published_at\` datetime(3) null) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`outbox\` add unique \`outbox_event_id_unique\`(\`event_id\`);`);
    this.addSql(`alter table \`outbox\` add index \`outbox_published_at_id_index\`(\`published_at\`, \`id\`);`);

    this.addSql(`alter table \`order_item\` add constraint \`order_item_order_id_foreign\` foreign key (\`order_id\`) references \`order\` (\`id\`) on update cascade;`);
  }

}
