import { Migration } from '@mikro-orm/migrations';

export class Migration20261125003617 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`category\` (\`id\` varchar(36) not null, \`name\` varchar(120) not null, \`parent_id\` varchar(36) null, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`category\` add unique \`category_name_unique\`(\`name\`);`);
    this.addSql(`alter table \`category\` add index \`category_parent_id_index\`(\`parent_id\`);`);

    this.addSql(`create table \`product\` (\`id\` varchar(36) not null, \`name\` varchar(200) not null, \`description\` text not null default (''), \`price\` int not null, \`currency\` varchar(3) not null default 'USD', \`category_id\` varchar(36) not null, \`stock\` int unsigned not null default 0, \`sale_opens_at\` datetime(3) null, \`sale_closes_at\` datetime(3) null, \`max_per_customer\` int null, \`active\` tinyint(1) not null default true, \`created_at\` datetime(3) not null, primary key (\`id\`)) default character set utf8mb4 engine = InnoDB;`);
    this.addSql(`alter table \`product\` add index \`product_category_id_index\`(\`category_id\`);`);
    this.addSql(`alter table \`product\` add index \`product_created_at_id_index\`(\`created_at\`, \`id\`);`);

    this.addSql(`alter table \`category\` add constraint \`category_parent_id_foreign\` foreign key (\`parent_id\`) references \`category\` (\`id\`) on update cascade on delete set null;`);

    this.addSql(`alter table \`product\` add constraint \`product_category_id_foreign\` foreign key (\`category_id\`) references \`category\` (\`id\`) on update cascade;`);
  }

}
