import { Arg, Args, Authorized, Ctx, ID, Int, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import { MalformedIds } from '../malformed-ids';
import { userOf, type Context } from '../context';
import { PageArgs, Paginated } from '../pagination';
import { Access } from '../../auth/access';
import { CreateApiTokenInput, CredentialsInput } from '../../auth/auth.inputs';
import { AuthPayload, InvitationPayload, IssuedTokenPayload } from '../../auth/auth.types';
import { Token } from '../../auth/token.entity';
import { Role, User } from '../../auth/user.entity';

const UserPage = Paginated(User);

@UseMiddleware(MalformedIds)
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, {
    description:
      'Creates an account and a session, as PERCEPT_SIGNUP allows (open, invite or closed). The first account ' +
      'becomes admin when made from the server machine itself or with the setup code it printed at start.',
  })
  signUp(
    @Arg('input', () => CredentialsInput) input: CredentialsInput,
    @Arg('code', () => String, { nullable: true, description: "An admin's invitation code, or the setup code." })
    code: string | null,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    return ctx.services.auth.signUp(input.email, input.password, { code, client: ctx.client, local: ctx.local });
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => InvitationPayload, { description: 'A one-time invitation to sign up (PERCEPT_SIGNUP=invite).' })
  createInvitation(
    @Arg('email', () => String, { nullable: true, description: 'Only this email may use it.' }) email: string | null,
    @Arg('days', () => Int, { defaultValue: 7 }) days: number,
    @Ctx() ctx: Context,
  ): Promise<InvitationPayload> {
    return ctx.services.auth.createInvitation(userOf(ctx), email, days);
  }

  @Mutation(() => AuthPayload)
  logIn(@Arg('input', () => CredentialsInput) input: CredentialsInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    return ctx.services.auth.logIn(input.email, input.password, ctx.client);
  }

  @Authorized(Access.USER, Access.CLASSIFY)
  @Mutation(() => Boolean, { description: 'Revokes the token this request was made with.' })
  logOut(@Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.logOut(userOf(ctx));
  }

  @Authorized(Access.USER)
  @Query(() => User)
  me(@Ctx() ctx: Context): Promise<User> {
    return ctx.services.auth.me(userOf(ctx));
  }

  @Authorized(Access.USER)
  @Query(() => [Token], { description: 'Your API tokens that are not revoked.' })
  apiTokens(@Ctx() ctx: Context): Promise<Token[]> {
    return ctx.services.auth.listApiTokens(userOf(ctx));
  }

  @Authorized(Access.USER)
  @Mutation(() => IssuedTokenPayload)
  createApiToken(
    @Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput,
    @Ctx() ctx: Context,
  ): Promise<IssuedTokenPayload> {
    return ctx.services.auth.createApiToken(userOf(ctx), input.name, input.scope, input.expiresInDays);
  }

  @Authorized(Access.USER)
  @Mutation(() => Token)
  revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Token> {
    return ctx.services.auth.revokeToken(userOf(ctx), id);
  }

  @Authorized(Access.ADMIN)
  @Query(() => UserPage)
  users(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.auth.listUsers(page);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => User)
  setUserRole(
    @Arg('userId', () => ID) userId: string,
    @Arg('role', () => Role) role: Role,
    @Ctx() ctx: Context,
  ): Promise<User> {
    return ctx.services.auth.setRole(userOf(ctx), userId, role);
  }

  @Authorized(Access.USER)
  @Mutation(() => Boolean, {
    description: 'Deletes your account and everything it owns (models, images, tasks, tokens); ends every session.',
  })
  deleteAccount(@Arg('password', () => String) password: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.accounts.deleteAccount(userOf(ctx), password);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => User, { description: 'A disabled user cannot log in; their tokens stop working at once.' })
  setUserDisabled(
    @Arg('userId', () => ID) userId: string,
    @Arg('disabled', () => Boolean) disabled: boolean,
    @Ctx() ctx: Context,
  ): Promise<User> {
    return ctx.services.accounts.setDisabled(userOf(ctx), userId, disabled);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Boolean, { description: 'Deletes another user and everything they own.' })
  deleteUser(@Arg('userId', () => ID) userId: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.accounts.deleteUser(userOf(ctx), userId);
  }

  @Authorized(Access.ADMIN)
  @Query(() => [Token])
  runnerTokens(@Ctx() ctx: Context): Promise<Token[]> {
    return ctx.services.auth.listRunnerTokens();
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Token, { description: 'Runners using it are refused from their next request on.' })
  revokeRunnerToken(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Token> {
    return ctx.services.auth.revokeToken(userOf(ctx), id);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => IssuedTokenPayload, { description: 'A token for `npm run runner -- --token …` on another machine.' })
  createRunnerToken(@Arg('name', () => String) name: string, @Ctx() ctx: Context): Promise<IssuedTokenPayload> {
    return ctx.services.auth.createRunnerToken(name);
  }
}
