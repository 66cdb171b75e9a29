import type { CombinedError } from '@urql/svelte';

/** What went wrong, in words for the person at the screen. */
export interface Problem {
  code: string;
  title: string;
  message: string;
  /** The input the server blamed (BAD_USER_INPUT), to show the message beside it. */
  field?: string;
}

const TITLES: Record<string, string> = {
  BAD_USER_INPUT: 'Please check the form',
  UNAUTHENTICATED: 'Could not sign in',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  PAYLOAD_TOO_LARGE: 'File too large',
  TOO_MANY_REQUESTS: 'Too many requests',
  NETWORK: 'Server unreachable',
  EXPORT_UNVERIFIED: 'The export failed its check',
};

export function problemOf(error: CombinedError | null | undefined): Problem | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (!first) {
    return {
      code: 'NETWORK',
      title: TITLES.NETWORK,
      message: 'Percept did not answer. Check that the server is running and try again.',
    };
  }
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
  const field = typeof first.extensions?.field === 'string' ? first.extensions.field : undefined;
  switch (code) {
    case 'NOT_FOUND':
      return { code, field, title: TITLES[code], message: `${first.message} It may have been deleted.` };
    case 'FORBIDDEN':
      return { code, field, title: TITLES[code], message: `${first.message} Your account or token cannot do this.` };
    case 'BAD_USER_INPUT':
    case 'UNAUTHENTICATED':
    case 'PAYLOAD_TOO_LARGE':
    case 'TOO_MANY_REQUESTS':
    case 'EXPORT_UNVERIFIED':
      return { code, field, title: TITLES[code], message: first.message };
    default:
      return {
        code,
        field,
        title: 'Something went wrong',
        message: `The server could not do this (${code}). Try again; if it keeps failing, tell your admin.`,
      };
  }
}
