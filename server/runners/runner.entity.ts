import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum RunnerKind {
  /** A child process of a server. */
  LOCAL = 'LOCAL',
  /** A process on another machine that joined with a runner token. */
  REMOTE = 'REMOTE',
}
registerEnumType(RunnerKind, { name: 'RunnerKind' });

export enum RunnerStatus {
  STARTING = 'STARTING',
  IDLE = 'IDLE',
  BUSY = 'BUSY',
  /** Crashed or missed heartbeats; gets no work until it reports in again. */
  FAILED = 'FAILED',
  OFFLINE = 'OFFLINE',
}
registerEnumType(RunnerStatus, { name: 'RunnerStatus' });

@ObjectType()
@Entity('runners')
export class Runner {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => String)
  @Column({ type: 'text' })
  name!: string;

  @Field(() => RunnerKind)
  @Column({ type: 'enum', enum: RunnerKind, enumName: 'runner_kind' })
  kind!: RunnerKind;

  @Field(() => RunnerStatus)
  @Column({ type: 'enum', enum: RunnerStatus, enumName: 'runner_status', default: RunnerStatus.STARTING })
  status!: RunnerStatus;

  /** An admin's switch, independent of status: a disabled runner is given no work. */
  @Field(() => Boolean)
  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** The server node that owns a local runner. */
  @Column({ type: 'text', nullable: true })
  nodeId!: string | null;

  /** The runner token a remote runner joined with. */
  @Column({ type: 'uuid', nullable: true })
  tokenId!: string | null;

  @Field(() => String, { nullable: true, description: 'TensorFlow.js backend: tensorflow, wasm or cpu.' })
  @Column({ type: 'text', nullable: true })
  backend!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  device!: string | null;

  @Field(() => ID, { nullable: true })
  @Column({ type: 'uuid', nullable: true })
  currentTaskId!: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  lastHeartbeatAt!: Date | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
