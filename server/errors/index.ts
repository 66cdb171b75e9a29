export { BadUserInputError } from './bad-user-input.error';
export { ForbiddenError } from './forbidden.error';
export { NotFoundError } from './not-found.error';
export { PayloadTooLargeError } from './payload-too-large.error';
export { TooManyRequestsError } from './too-many-requests.error';
export { UnauthenticatedError } from './unauthenticated.error';
export { TooManySubscriptionsError } from './too-many-subscriptions.error';
export { ExportUnverifiedError } from './export-unverified.error';
export { httpAnswer, type HttpAnswer } from './http-answer';
