import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from './user.entity';

export enum TokenKind {
  /** Issued by logIn/signUp for the web app; expires. */
  SESSION = 'SESSION',
  /** Named, long-lived, for third parties. */
  API = 'API',
  /** Lets a remote runner join the pool; can do nothing else. */
  RUNNER = 'RUNNER',
}
registerEnumType(TokenKind, { name: 'TokenKind' });

export enum TokenScope {
  /** Everything the owner can do. */
  FULL = 'FULL',
  /** Only `classify`, `classifyBatch` and reading the models they need. */
  CLASSIFY = 'CLASSIFY',
}
registerEnumType(TokenScope, { name: 'TokenScope' });

/** Any bearer credential. Only a SHA-256 of the secret is kept: secrets are 256 random bits. */
@ObjectType('ApiToken')
@Entity('tokens')
export class Token {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => TokenKind)
  @Column({ type: 'enum', enum: TokenKind, enumName: 'token_kind' })
  kind!: TokenKind;

  @Field(() => String)
  @Column({ type: 'text' })
  name!: string;

  @Index({ unique: true })
  @Column({ type: 'text' })
  hash!: string;

  /** The first characters of the secret, so a user can tell tokens apart. */
  @Field(() => String)
  @Column({ type: 'text' })
  prefix!: string;

  @Field(() => TokenScope)
  @Column({ type: 'enum', enum: TokenScope, enumName: 'token_scope', default: TokenScope.FULL })
  scope!: TokenScope;

  /** Null for runner tokens: they act for the pool, not for a person. */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'userId' })
  user?: User | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
