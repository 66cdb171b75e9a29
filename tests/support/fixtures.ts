import sharp from 'sharp';
import { gql, gqlUpload } from './graphql';

/** A solid-colour PNG; `channels: 1` makes a greyscale one. */
export function png(
  width: number,
  height: number,
  channels: 1 | 3 = 3,
  colour = { r: 200, g: 30, b: 60 },
): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: colour } });
  return (channels === 1 ? img.greyscale().toColourspace('b-w') : img).png().toBuffer();
}

let counter = 0;

export async function signUp(
  url: string,
  email = `user${++counter}-${Date.now()}@example.com`,
  password = 'correct horse battery',
) {
  const res = await gql<{ signUp: { token: string; user: { id: string; role: string } } }>(
    url,
    'mutation($i: CredentialsInput!) { signUp(input: $i) { token user { id role } } }',
    { i: { email, password } },
  );
  if (!res.data) throw new Error(`sign-up failed: ${JSON.stringify(res.errors)}`);
  return { email, password, token: res.data.signUp.token, user: res.data.signUp.user };
}

export const CREATE_MODEL = `mutation($input: CreateModelInput!) {
  createModel(input: $input) { id name status inputWidth inputHeight inputChannels expandable targetAccuracy }
}`;

export async function createModel(url: string, token: string, name = 'Shapes', image?: Buffer) {
  const res = await gqlUpload<{
    createModel: { id: string; name: string; inputWidth: number; inputHeight: number; inputChannels: number };
  }>(
    url,
    CREATE_MODEL,
    { input: { name, sampleImage: null } },
    { 'input.sampleImage': { data: image ?? (await png(32, 24)), filename: 'sample.png', type: 'image/png' } },
    token,
  );
  if (!res.data) throw new Error(`createModel failed: ${JSON.stringify(res.errors)}`);
  return res.data.createModel;
}
