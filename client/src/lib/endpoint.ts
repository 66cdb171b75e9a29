/** Where the API lives: the page's own origin, over HTTP and over graphql-ws on the same path. */
export const GRAPHQL_PATH = '/graphql';

export const endpoint = (): string => `${location.origin}${GRAPHQL_PATH}`;

export const wsEndpoint = (): string => endpoint().replace(/^http/, 'ws');
