import type { DataSource } from 'typeorm';
import { AuthService } from '../auth/auth.service';
import type { Config } from '../config/config';
import type { PerceptPubSub } from '../graphql/pubsub';
import { ModelService } from '../models/model.service';
import type { BlobStore } from '../storage/blob-store';

/** The services resolvers call; built once at startup, each given only what it depends on. */
export interface Services {
  auth: AuthService;
  models: ModelService;
}

export function createServices(db: DataSource, blobs: BlobStore, pubsub: PerceptPubSub, config: Config): Services {
  return {
    auth: new AuthService(db, config.sessionTtlHours),
    models: new ModelService(db, blobs, config.limits, pubsub),
  };
}
