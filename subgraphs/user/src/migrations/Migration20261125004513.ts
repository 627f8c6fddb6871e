import { Migration } from '@mikro-orm/migrations';

// Personal data columns (encrypted) and the email blind index. The diff also proposed re-creating
// `roles` (MariaDB reports JSON as longtext + CHECK); that noise is left out so MySQL 8 runs this too.
export class Migration20261125004513 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`user\` add \`email_index\` varchar(64) not null, add \`email_cipher\` text not null, add \`name_cipher\` text not null, add \`phone_cipher\` text null, add \`address_cipher\` text null, add \`password_hash\` varchar(255) not null, add \`updated_at\` datetime(3) not null;`);
    this.addSql(`alter table \`user\` add unique \`user_email_index_unique\`(\`email_index\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table \`user\` drop index \`user_email_index_unique\`;`);
    this.addSql(`alter table \`user\` drop column \`email_index\`, drop column \`email_cipher\`, drop column \`name_cipher\`, drop column \`phone_cipher\`, drop column \`address_cipher\`, drop column \`password_hash\`, drop column \`updated_at\`;`);
  }

}
