import { Field, InputType, Int } from 'type-graphql';
import { TokenScope } from './token.entity';

@InputType()
export class CredentialsInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;
}

@InputType()
export class CreateApiTokenInput {
  @Field(() => String)
  name!: string;

  @Field(() => TokenScope, { defaultValue: TokenScope.FULL })
  scope: TokenScope = TokenScope.FULL;

  @Field(() => Int, { nullable: true, description: 'Days until it expires; never when omitted.' })
  expiresInDays?: number | null;
}
