import { Migration } from '@mikro-orm/migrations';

export class Migration20261125005119 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`scheduled_job\` (\`name\` varchar(64) not null, \`last_run_date\` varchar(10) not null, \`last_run_at\` datetime(3) not null, primary key (\`name\`)) default character set utf8mb4 engine = InnoDB;`);

    this.addSql(`alter table \`order\` add \`idempotency_key\` varchar(100) not null, add \`total\` int not null, add \`currency\` varchar(3) not null, add \`reservation_expires_at\` datetime(3) not null, add \`paid_at\` datetime(3) null, add \`delivered_at\` datetime(3) null, add \`return_requested_at\` datetime(3) null, add \`payment_id\` varchar(64) null, add \`status_changed_at\` datetime(3) not null, add \`version\` int not null default 1;`);
    this.addSql(`alter table \`order\` add index \`order_status_status_changed_at_index\`(\`status\`, \`status_changed_at\`);`);
    this.addSql(`alter table \`order\` add index \`order_status_reservation_expires_at_index\`(\`status\`, \`reservation_expires_at\`);`);
    this.addSql(`alter table \`order\` add unique \`order_user_id_idempotency_key_unique\`(\`user_id\`, \`idempotency_key\`);`);

    this.addSql(`alter table \`order_item\` add \`unit_price\` int not null;`);
    this.addSql(`alter table \`order_item\` add index \`order_item_product_id_index\`(\`product_id\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`scheduled_job\`;`);

    this.addSql(`alter table \`order\` drop index \`order_status_status_changed_at_index\`;`);
    this.addSql(`alter table \`order\` drop index \`order_status_reservation_expires_at_index\`;`);
    this.addSql(`alter table \`order\` drop index \`order_user_id_idempotency_key_unique\`;`);
    this.addSql(`alter table \`order\` drop column \`idempotency_key\`, drop column \`total\`, drop column \`currency\`, drop column \`reservation_expires_at\`, drop column \`paid_at\`, drop column \`delivered_at\`, drop column \`return_requested_at\`, drop column \`payment_id\`, drop column \`status_changed_at\`, drop column \`version\`;`);

    this.addSql(`alter table \`order_item\` drop index \`order_item_product_id_index\`;`);
    this.addSql(`alter table \`order_item\` drop column \`unit_price\`;`);

  }

}
