import { Migration } from '@mikro-orm/migrations';

export class Migration20261125004407 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`processed_event\` (\`event_id\` varchar(36) not null, \`stream\` varchar(64) not null, \`processed_at\` datetime(3) not null, primary key (\`event_id\`)) default character set utf8mb4 engine = InnoDB;`);

    // Listing indexes, one per access path (all active products / one category), keyset (created_at, id).
    this.addSql(`alter table \`product\` drop index \`product_created_at_id_index\`;`);
    this.addSql(`alter table \`product\` add index \`product_category_listing_index\`(\`category_id\`, \`active\`, \`created_at\`, \`id\`);`);
    this.addSql(`alter table \`product\` add index \`product_listing_index\`(\`active\`, \`created_at\`, \`id\`);`);

    // Existing rows were last updated no later than they were created.
    this.addSql(`alter table \`product\` add \`updated_at\` datetime(3) null;`);
    this.addSql(`update \`product\` set \`updated_at\` = \`created_at\`;`);
    this.addSql(`alter table \`product\` modify \`updated_at\` datetime(3) not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`processed_event\`;`);
    this.addSql(`alter table \`product\` drop index \`product_category_listing_index\`;`);
    this.addSql(`alter table \`product\` drop index \`product_listing_index\`;`);
    this.addSql(`alter table \`product\` drop column \`updated_at\`;`);
    this.addSql(`alter table \`product\` add index \`product_created_at_id_index\`(\`created_at\`, \`id\`);`);
  }

}
