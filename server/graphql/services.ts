import type { AccountService } from '../auth/account.service';
import type { AuthService } from '../auth/auth.service';
import type { ClassifyService } from '../classification/classify.service';
import type { ThresholdsService } from '../classification/thresholds.service';
import type { ReviewService } from '../review/review.service';
import type { Config } from '../config/config';
import type { DatasetService } from '../datasets/dataset.service';
import type { ExportService } from '../exports/export.service';
import type { ModelImportService } from '../exports/model-import.service';
import type { ModelService } from '../models/model.service';
import type { RunnerDataService } from '../runners/data/data.service';
import type { RemoteRunners } from '../runners/remote-runners';
import type { RunnerService } from '../runners/runner.service';
import type { TaskService } from '../tasks/task.service';
import type { ExpansionService } from '../training/expansion.service';
import type { TrainingService } from '../training/training.service';

/** The services resolvers call; built once at startup (server/app/services.ts), each given only what it depends on. */
export interface Services {
  /** The configured limits, for clients that check before they send. */
  limits: Config['limits'];
  auth: AuthService;
  accounts: AccountService;
  models: ModelService;
  tasks: TaskService;
  runners: RunnerService;
  remoteRunners: RemoteRunners;
  runnerData: RunnerDataService;
  datasets: DatasetService;
  training: TrainingService;
  expansion: ExpansionService;
  classify: ClassifyService;
  thresholds: ThresholdsService;
  review: ReviewService;
  exports: ExportService;
  modelImports: ModelImportService;
}
