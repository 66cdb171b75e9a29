import { Authorized, Ctx, Field, Float, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { Access } from '../../auth/access';
import { MAX_INPUT_SIDE } from '../../models/model.service';
import type { Context } from '../context';

@ObjectType({ description: "This server's limits, so a client can refuse what the server would before sending it." })
export class ServerLimits {
  @Field(() => Float, { description: 'Largest uploaded file, in bytes.' }) uploadBytes!: number;
  @Field(() => Int, { description: 'Most pixels (width × height) of any image.' }) imagePixels!: number;
  @Field(() => Int) zipEntries!: number;
  @Field(() => Float) zipEntryBytes!: number;
  @Field(() => Float) zipTotalBytes!: number;
  @Field(() => Int, { description: 'Longest side of a network input; larger samples are scaled down.' })
  maxInputSide!: number;
  @Field(() => Int, { description: 'classify and classifyBatch requests per token per minute.' })
  classifyPerMinute!: number;
}

@Resolver()
export class LimitsResolver {
  @Authorized(Access.USER, Access.CLASSIFY)
  @Query(() => ServerLimits)
  limits(@Ctx() ctx: Context): ServerLimits {
    const l = ctx.services.limits;
    return {
      uploadBytes: l.uploadBytes,
      imagePixels: l.imagePixels,
      zipEntries: l.zipEntries,
      zipEntryBytes: l.zipEntryBytes,
      zipTotalBytes: l.zipTotalBytes,
      maxInputSide: MAX_INPUT_SIDE,
      classifyPerMinute: l.classifyPerMinute,
    };
  }
}
