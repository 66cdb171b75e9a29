import type { DataSource } from 'typeorm';
import { BadUserInputError, NotFoundError, UnauthenticatedError } from '../errors';
import { isUuid } from '../db/ids';
import type { ModelService } from '../models/model.service';
import { Model } from '../models/model.entity';
import { TokenScope } from './token.entity';
import { Role, User } from './user.entity';
import type { AuthService } from './auth.service';
import { verifyPassword } from './password';
import type { UserPrincipal } from './principal';

/**
 * An account's end: the user deletes it (with their password), or an admin disables or deletes it.
 * Every way first revokes the user's tokens through AuthService.revokeAllOf, the path logOut and
 * token revocation take, so sessions, API tokens and open subscriptions built on them end at once;
 * then deletion removes each model with its blobs (ModelService.delete) and the user row, whose
 * foreign keys take its tasks and tokens with it.
 */
export class AccountService {
  constructor(
    private readonly db: DataSource,
    private readonly auth: AuthService,
    private readonly models: Pick<ModelService, 'delete'>,
  ) {}

  /** The caller deletes their own account; the password guards against a borrowed session. */
  async deleteAccount(who: UserPrincipal, password: string): Promise<boolean> {
    const user = await this.db.getRepository(User).findOneByOrFail({ id: who.userId });
    if (!(await verifyPassword(password, user.passwordHash))) {
      throw new BadUserInputError('That is not your password.', { field: 'password' });
    }
    await this.remove(user);
    return true;
  }

  /** Admins: a disabled user cannot log in, and their tokens stop working at once. */
  async setDisabled(admin: UserPrincipal, userId: string, disabled: boolean): Promise<User> {
    const user = await this.other(admin, userId);
    user.disabledAt = disabled ? (user.disabledAt ?? new Date()) : null;
    const saved = await this.db.getRepository(User).save(user);
    if (disabled) await this.auth.revokeAllOf(user.id, 'USER_DISABLED');
    return saved;
  }

  /** Admins: delete another user and everything they own. */
  async deleteUser(admin: UserPrincipal, userId: string): Promise<boolean> {
    await this.remove(await this.other(admin, userId));
    return true;
  }

  private async other(admin: UserPrincipal, userId: string): Promise<User> {
    if (userId === admin.userId) {
      throw new BadUserInputError('Not your own account here; use deleteAccount, or ask another admin.');
    }
    const user = isUuid(userId) ? await this.db.getRepository(User).findOneBy({ id: userId }) : null;
    if (!user) throw new NotFoundError('No such user.');
    return user;
  }

  private async remove(user: User): Promise<void> {
    await this.auth.revokeAllOf(user.id, 'USER_DELETED');
    // As an admin would: ModelService.delete removes each model's rows and its blobs by prefix.
    const owner: UserPrincipal = {
      kind: 'user',
      userId: user.id,
      role: Role.ADMIN,
      tokenId: '',
      scope: TokenScope.FULL,
    };
    const models = await this.db.getRepository(Model).find({ where: { ownerId: user.id }, select: { id: true } });
    for (const m of models) await this.models.delete(owner, m.id);
    const gone = await this.db.getRepository(User).delete({ id: user.id });
    if (!gone.affected) throw new UnauthenticatedError('This account no longer exists.');
  }
}
