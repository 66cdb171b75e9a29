import { graphql } from '../gql';

export const SignUp = graphql(`
  mutation SignUp($input: CredentialsInput!, $code: String) {
    signUp(input: $input, code: $code) {
      token
      user {
        ...UserFields
      }
    }
  }
`);

export const LogIn = graphql(`
  mutation LogIn($input: CredentialsInput!) {
    logIn(input: $input) {
      token
      user {
        ...UserFields
      }
    }
  }
`);

export const LogOut = graphql(`
  mutation LogOut {
    logOut
  }
`);

export const Me = graphql(`
  query Me {
    me {
      ...UserFields
    }
  }
`);

export const UserFields = graphql(`
  fragment UserFields on User {
    id
    email
    role
    createdAt
  }
`);
