import { Field, ObjectType } from 'type-graphql';
import { Invitation } from './invitation.entity';
import { Token } from './token.entity';
import { User } from './user.entity';

@ObjectType()
export class AuthPayload {
  @Field(() => String, { description: 'Session token: send as "Authorization: Bearer <token>".' })
  token!: string;

  @Field(() => User)
  user!: User;
}

@ObjectType()
export class IssuedTokenPayload {
  @Field(() => String, { description: 'The secret. Shown this once; only its hash is stored.' })
  secret!: string;

  @Field(() => Token)
  token!: Token;
}

@ObjectType()
export class InvitationPayload {
  @Field(() => String, { description: 'The code to give the invited person (signUp `code`). Shown this once.' })
  code!: string;

  @Field(() => Invitation)
  invitation!: Invitation;
}
