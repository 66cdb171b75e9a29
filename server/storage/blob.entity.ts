import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Blob rows of the PostgreSQL blob store, so several API servers can share one database. */
@Entity('blobs')
export class Blob {
  /** Slash-separated, owner first (`models/<id>/…`), so deleting a model deletes a key prefix. */
  @PrimaryColumn({ type: 'text', collation: 'C' })
  key!: string;

  @Column({ type: 'bytea' })
  data!: Buffer;

  @Column({ type: 'int' })
  size!: number;

  @Column({ type: 'text', nullable: true })
  contentType!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
