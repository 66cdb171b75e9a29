import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Invitations to sign up (PERCEPT_SIGNUP=invite), and users an admin has disabled. */
export class AccountLifecycle1795830000000 implements MigrationInterface {
  name = 'AccountLifecycle1795830000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "invitations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "codeHash" text NOT NULL, "email" text, "createdById" uuid, "expiresAt" TIMESTAMP WITH TIME ZONE NOT NULL, "usedAt" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_invitations" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_invitations_codeHash" ON "invitations" ("codeHash")`);
    await queryRunner.query(
      `ALTER TABLE "invitations" ADD CONSTRAINT "FK_invitations_createdBy" FOREIGN KEY ("createdById") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "users" ADD "disabledAt" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "disabledAt"`);
    await queryRunner.query(`DROP TABLE "invitations"`);
  }
}
