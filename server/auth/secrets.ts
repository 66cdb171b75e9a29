import { createHash, randomBytes } from 'node:crypto';
import { TokenKind } from './token.entity';

const PREFIX: Record<TokenKind, string> = {
  [TokenKind.SESSION]: 'pcs',
  [TokenKind.API]: 'pca',
  [TokenKind.RUNNER]: 'pcr',
};

/** A bearer secret: a kind prefix (so leaked tokens are recognisable) and 256 random bits. */
export function newSecret(kind: TokenKind): string {
  return `${PREFIX[kind]}_${randomBytes(32).toString('base64url')}`;
}

/** Secrets are random, so a fast hash suffices; only the hash is stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function displayPrefix(secret: string): string {
  return secret.slice(0, 10);
}
