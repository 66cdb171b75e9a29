/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Users($first: Int!, $offset: Int!) {\n    users(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.UsersDocument,
    "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...UserFields\n    }\n  }\n": typeof types.SetUserRoleDocument,
    "\n  query RunnerTokens {\n    runnerTokens {\n      ...TokenFields\n    }\n  }\n": typeof types.RunnerTokensDocument,
    "\n  mutation CreateRunnerToken($name: String!) {\n    createRunnerToken(name: $name) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n": typeof types.CreateRunnerTokenDocument,
    "\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeRunnerToken(id: $id) {\n      ...TokenFields\n    }\n  }\n": typeof types.RevokeRunnerTokenDocument,
    "\n  mutation SignUp($input: CredentialsInput!, $code: String) {\n    signUp(input: $input, code: $code) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation LogIn($input: CredentialsInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.LogInDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": typeof types.LogOutDocument,
    "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n": typeof types.MeDocument,
    "\n  fragment UserFields on User {\n    id\n    email\n    role\n    createdAt\n  }\n": typeof types.UserFieldsFragmentDoc,
    "\n  mutation Classify($modelId: ID!, $image: ImageInput!, $topK: Int!, $keep: Boolean!) {\n    classify(modelId: $modelId, image: $image, topK: $topK, keep: $keep) {\n      candidateId\n      keptImageId\n      accepted\n      threshold\n      predictions {\n        classIndex\n        className\n        probability\n      }\n    }\n  }\n": typeof types.ClassifyDocument,
    "\n  mutation ClassifyBatch($modelId: ID!, $archive: Upload!, $topK: Int!) {\n    classifyBatch(modelId: $modelId, archive: $archive, topK: $topK) {\n      ...TaskFields\n    }\n  }\n": typeof types.ClassifyBatchDocument,
    "\n  fragment DatasetClassFields on DatasetClass {\n    id\n    name\n    index\n    imageCount\n    trainCount\n    validationCount\n    testCount\n  }\n": typeof types.DatasetClassFieldsFragmentDoc,
    "\n  query Dataset($modelId: ID!) {\n    dataset(modelId: $modelId) {\n      modelId\n      imageCount\n      urlImageCount\n      classes {\n        ...DatasetClassFields\n      }\n    }\n  }\n": typeof types.DatasetDocument,
    "\n  query Images($modelId: ID!, $classId: ID, $first: Int!, $offset: Int!) {\n    images(modelId: $modelId, classId: $classId, first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        id\n        classId\n        originalName\n        source\n        split\n        url\n        thumbnailUrl\n      }\n    }\n  }\n": typeof types.ImagesDocument,
    "\n  mutation ImportDataset($modelId: ID!, $file: Upload!) {\n    importDataset(modelId: $modelId, file: $file) {\n      ...TaskFields\n    }\n  }\n": typeof types.ImportDatasetDocument,
    "\n  query ImportReport($taskId: ID!) {\n    importReport(taskId: $taskId) {\n      taskId\n      kind\n      filesSeen\n      imported\n      skipped\n      seconds\n      imagesPerSecond\n      classes {\n        name\n        imported\n      }\n      skippedByReason {\n        reason\n        count\n      }\n      skippedFiles {\n        path\n        reason\n        detail\n      }\n      skippedNotListed\n    }\n  }\n": typeof types.ImportReportDocument,
    "\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id)\n  }\n": typeof types.DeleteImageDocument,
    "\n  mutation DeleteClass($id: ID!) {\n    deleteClass(id: $id)\n  }\n": typeof types.DeleteClassDocument,
    "\n  mutation DeleteDataset($modelId: ID!) {\n    deleteDataset(modelId: $modelId)\n  }\n": typeof types.DeleteDatasetDocument,
    "\n  fragment HeadFields on Head {\n    id\n    ordinal\n    status\n    classNames\n    noneOutput\n    accuracy\n    activatedAt\n    createdAt\n    rejectedReason\n  }\n": typeof types.HeadFieldsFragmentDoc,
    "\n  fragment ExpansionRunFields on ExpansionRun {\n    outcome\n    newClasses\n    accuracy\n    oldClassesAccuracy\n    newClassesAccuracy\n    evaluatedOn\n    targetAccuracy\n    rejectedReason\n    task {\n      ...TaskFields\n    }\n    heads {\n      ...HeadFields\n    }\n    live {\n      phase\n      done\n      total\n      head\n      heads\n      epoch\n      epochs\n      batch\n      batches\n      loss\n      accuracy\n      imagesPerSecond\n      etaSeconds\n    }\n  }\n": typeof types.ExpansionRunFieldsFragmentDoc,
    "\n  query Heads($modelId: ID!) {\n    heads(modelId: $modelId) {\n      ...HeadFields\n    }\n  }\n": typeof types.HeadsDocument,
    "\n  query ExpansionRun($modelId: ID!) {\n    expansionRun(modelId: $modelId) {\n      ...ExpansionRunFields\n    }\n  }\n": typeof types.ExpansionRunDocument,
    "\n  subscription ExpansionProgress($modelId: ID!) {\n    expansionProgress(modelId: $modelId) {\n      ...ExpansionRunFields\n    }\n  }\n": typeof types.ExpansionProgressDocument,
    "\n  mutation ExpandModel($modelId: ID!) {\n    expandModel(modelId: $modelId) {\n      ...TaskFields\n    }\n  }\n": typeof types.ExpandModelDocument,
    "\n  mutation RemoveHead($id: ID!) {\n    removeHead(id: $id)\n  }\n": typeof types.RemoveHeadDocument,
    "\n  mutation ExportModel($modelId: ID!) {\n    exportModel(modelId: $modelId) {\n      url\n      bytes\n      sha256\n      createdAt\n      verification {\n        images\n        top1Agreement\n        maxProbabilityDifference\n      }\n    }\n  }\n": typeof types.ExportModelDocument,
    "\n  fragment ModelFields on Model {\n    id\n    name\n    status\n    inputWidth\n    inputHeight\n    inputChannels\n    expandable\n    targetAccuracy\n    targetPrecision\n    keepUncertain\n    keepUncertainCap\n    keepUncertainDays\n    underTarget\n    trainedAt\n    createdAt\n    updatedAt\n  }\n": typeof types.ModelFieldsFragmentDoc,
    "\n  query Models($first: Int!, $offset: Int!) {\n    models(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...ModelFields\n      }\n    }\n  }\n": typeof types.ModelsDocument,
    "\n  query Model($id: ID!) {\n    model(id: $id) {\n      ...ModelFields\n    }\n  }\n": typeof types.ModelDocument,
    "\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelFields\n    }\n  }\n": typeof types.CreateModelDocument,
    "\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      ...ModelFields\n    }\n  }\n": typeof types.UpdateModelDocument,
    "\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n": typeof types.DeleteModelDocument,
    "\n  subscription ModelUpdated($id: ID!) {\n    modelUpdated(id: $id) {\n      ...ModelFields\n    }\n  }\n": typeof types.ModelUpdatedDocument,
    "\n  query ReviewQueue($modelId: ID!, $first: Int!, $after: String) {\n    reviewQueue(modelId: $modelId, first: $first, after: $after) {\n      totalCount\n      endCursor\n      hasNextPage\n      labelledSinceTraining\n      items {\n        margin\n        keptReason\n        image {\n          id\n          createdAt\n          thumbnailUrl\n        }\n        prediction {\n          classIndex\n          className\n          probability\n        }\n      }\n    }\n  }\n": typeof types.ReviewQueueDocument,
    "\n  mutation LabelImages($ids: [ID!]!, $classId: ID!) {\n    labelImages(ids: $ids, classId: $classId)\n  }\n": typeof types.LabelImagesDocument,
    "\n  mutation DiscardImages($ids: [ID!]!) {\n    discardImages(ids: $ids)\n  }\n": typeof types.DiscardImagesDocument,
    "\n  mutation SetKeepUncertain($modelId: ID!, $keepUncertain: Boolean!, $cap: Int, $retentionDays: Int) {\n    setKeepUncertain(modelId: $modelId, keepUncertain: $keepUncertain, cap: $cap, retentionDays: $retentionDays) {\n      ...ModelFields\n    }\n  }\n": typeof types.SetKeepUncertainDocument,
    "\n  fragment RunnerFields on Runner {\n    id\n    name\n    kind\n    status\n    disabled\n    backend\n    device\n    currentTaskId\n    currentTaskType\n    lastHeartbeatAt\n    createdAt\n  }\n": typeof types.RunnerFieldsFragmentDoc,
    "\n  query Runners {\n    runners {\n      ...RunnerFields\n    }\n  }\n": typeof types.RunnersDocument,
    "\n  subscription RunnerChanged {\n    runnerChanged {\n      ...RunnerFields\n    }\n  }\n": typeof types.RunnerChangedDocument,
    "\n  mutation SetRunnerDisabled($id: ID!, $disabled: Boolean!) {\n    setRunnerDisabled(id: $id, disabled: $disabled) {\n      ...RunnerFields\n    }\n  }\n": typeof types.SetRunnerDisabledDocument,
    "\n  mutation RestartRunner($id: ID!) {\n    restartRunner(id: $id) {\n      ...RunnerFields\n    }\n  }\n": typeof types.RestartRunnerDocument,
    "\n  fragment TaskFields on Task {\n    id\n    type\n    status\n    priority\n    attempts\n    maxAttempts\n    cancelRequested\n    modelId\n    runnerId\n    progress\n    error\n    createdAt\n    startedAt\n    finishedAt\n    updatedAt\n  }\n": typeof types.TaskFieldsFragmentDoc,
    "\n  query Tasks($first: Int!, $offset: Int!, $status: TaskStatus, $type: TaskType, $modelId: ID, $ownerId: ID) {\n    tasks(first: $first, offset: $offset, status: $status, type: $type, modelId: $modelId, ownerId: $ownerId) {\n      totalCount\n      hasNextPage\n      items {\n        ...TaskFields\n      }\n    }\n  }\n": typeof types.TasksDocument,
    "\n  query TaskFilterChoices {\n    models(all: true, first: 100) {\n      items {\n        id\n        name\n      }\n    }\n    users(first: 100) {\n      items {\n        id\n        email\n      }\n    }\n  }\n": typeof types.TaskFilterChoicesDocument,
    "\n  subscription TasksChanged {\n    tasksChanged {\n      ...TaskFields\n    }\n  }\n": typeof types.TasksChangedDocument,
    "\n  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!) {\n    updateTask(id: $id, input: $input) {\n      ...TaskFields\n    }\n  }\n": typeof types.UpdateTaskDocument,
    "\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n": typeof types.CancelTaskDocument,
    "\n  mutation CreateDiagnosticTask($sleepMs: Int!, $fail: String) {\n    createDiagnosticTask(sleepMs: $sleepMs, fail: $fail) {\n      ...TaskFields\n    }\n  }\n": typeof types.CreateDiagnosticTaskDocument,
    "\n  subscription TaskUpdated($id: ID!) {\n    taskUpdated(id: $id) {\n      ...TaskFields\n    }\n  }\n": typeof types.TaskUpdatedDocument,
    "\n  query TaskResult($id: ID!) {\n    task(id: $id) {\n      id\n      status\n      result\n    }\n  }\n": typeof types.TaskResultDocument,
    "\n  query TaskDetail($id: ID!) {\n    task(id: $id) {\n      ...TaskFields\n      ownerId\n      leaseExpiresAt\n      payload\n      result\n    }\n  }\n": typeof types.TaskDetailDocument,
    "\n  fragment TokenFields on ApiToken {\n    id\n    name\n    kind\n    scope\n    prefix\n    createdAt\n    expiresAt\n    lastUsedAt\n    revokedAt\n  }\n": typeof types.TokenFieldsFragmentDoc,
    "\n  query ApiTokens {\n    apiTokens {\n      ...TokenFields\n    }\n  }\n": typeof types.ApiTokensDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n": typeof types.RevokeApiTokenDocument,
    "\n  fragment TrainingRunFields on TrainingRun {\n    maxEpochs\n    stopAtTarget\n    selection\n    etaSeconds\n    task {\n      ...TaskFields\n    }\n    candidates {\n      id\n      name\n      family\n      params\n      status\n      epochsDone\n      bestValAccuracy\n      validationAccuracy\n      validationMargin\n      validationImages\n      testAccuracy\n      prunedReason\n      history {\n        epoch\n        loss\n        accuracy\n        valLoss\n        valAccuracy\n        imagesPerSecond\n        seconds\n      }\n      live {\n        phase\n        epoch\n        batch\n        batches\n        loss\n        accuracy\n        imagesPerSecond\n      }\n    }\n  }\n": typeof types.TrainingRunFieldsFragmentDoc,
    "\n  query TrainingRun($modelId: ID!) {\n    trainingRun(modelId: $modelId) {\n      ...TrainingRunFields\n    }\n  }\n": typeof types.TrainingRunDocument,
    "\n  subscription TrainingProgress($modelId: ID!) {\n    trainingProgress(modelId: $modelId) {\n      ...TrainingRunFields\n    }\n  }\n": typeof types.TrainingProgressDocument,
    "\n  mutation TrainModel($modelId: ID!, $input: TrainModelInput!) {\n    trainModel(modelId: $modelId, input: $input) {\n      ...TaskFields\n    }\n  }\n": typeof types.TrainModelDocument,
    "\n  query ModelEvaluation($modelId: ID!) {\n    modelEvaluation(modelId: $modelId) {\n      candidateId\n      networkName\n      networks\n      evaluatedOn\n      count\n      accuracy\n      classNames\n      confusion\n      perClass {\n        className\n        precision\n        recall\n        f1\n        support\n      }\n    }\n  }\n": typeof types.ModelEvaluationDocument,
};
const documents: Documents = {
    "\n  query Users($first: Int!, $offset: Int!) {\n    users(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...UserFields\n      }\n    }\n  }\n": types.UsersDocument,
    "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...UserFields\n    }\n  }\n": types.SetUserRoleDocument,
    "\n  query RunnerTokens {\n    runnerTokens {\n      ...TokenFields\n    }\n  }\n": types.RunnerTokensDocument,
    "\n  mutation CreateRunnerToken($name: String!) {\n    createRunnerToken(name: $name) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n": types.CreateRunnerTokenDocument,
    "\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeRunnerToken(id: $id) {\n      ...TokenFields\n    }\n  }\n": types.RevokeRunnerTokenDocument,
    "\n  mutation SignUp($input: CredentialsInput!, $code: String) {\n    signUp(input: $input, code: $code) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation LogIn($input: CredentialsInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n": types.LogInDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": types.LogOutDocument,
    "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n": types.MeDocument,
    "\n  fragment UserFields on User {\n    id\n    email\n    role\n    createdAt\n  }\n": types.UserFieldsFragmentDoc,
    "\n  mutation Classify($modelId: ID!, $image: ImageInput!, $topK: Int!, $keep: Boolean!) {\n    classify(modelId: $modelId, image: $image, topK: $topK, keep: $keep) {\n      candidateId\n      keptImageId\n      accepted\n      threshold\n      predictions {\n        classIndex\n        className\n        probability\n      }\n    }\n  }\n": types.ClassifyDocument,
    "\n  mutation ClassifyBatch($modelId: ID!, $archive: Upload!, $topK: Int!) {\n    classifyBatch(modelId: $modelId, archive: $archive, topK: $topK) {\n      ...TaskFields\n    }\n  }\n": types.ClassifyBatchDocument,
    "\n  fragment DatasetClassFields on DatasetClass {\n    id\n    name\n    index\n    imageCount\n    trainCount\n    validationCount\n    testCount\n  }\n": types.DatasetClassFieldsFragmentDoc,
    "\n  query Dataset($modelId: ID!) {\n    dataset(modelId: $modelId) {\n      modelId\n      imageCount\n      urlImageCount\n      classes {\n        ...DatasetClassFields\n      }\n    }\n  }\n": types.DatasetDocument,
    "\n  query Images($modelId: ID!, $classId: ID, $first: Int!, $offset: Int!) {\n    images(modelId: $modelId, classId: $classId, first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        id\n        classId\n        originalName\n        source\n        split\n        url\n        thumbnailUrl\n      }\n    }\n  }\n": types.ImagesDocument,
    "\n  mutation ImportDataset($modelId: ID!, $file: Upload!) {\n    importDataset(modelId: $modelId, file: $file) {\n      ...TaskFields\n    }\n  }\n": types.ImportDatasetDocument,
    "\n  query ImportReport($taskId: ID!) {\n    importReport(taskId: $taskId) {\n      taskId\n      kind\n      filesSeen\n      imported\n      skipped\n      seconds\n      imagesPerSecond\n      classes {\n        name\n        imported\n      }\n      skippedByReason {\n        reason\n        count\n      }\n      skippedFiles {\n        path\n        reason\n        detail\n      }\n      skippedNotListed\n    }\n  }\n": types.ImportReportDocument,
    "\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id)\n  }\n": types.DeleteImageDocument,
    "\n  mutation DeleteClass($id: ID!) {\n    deleteClass(id: $id)\n  }\n": types.DeleteClassDocument,
    "\n  mutation DeleteDataset($modelId: ID!) {\n    deleteDataset(modelId: $modelId)\n  }\n": types.DeleteDatasetDocument,
    "\n  fragment HeadFields on Head {\n    id\n    ordinal\n    status\n    classNames\n    noneOutput\n    accuracy\n    activatedAt\n    createdAt\n    rejectedReason\n  }\n": types.HeadFieldsFragmentDoc,
    "\n  fragment ExpansionRunFields on ExpansionRun {\n    outcome\n    newClasses\n    accuracy\n    oldClassesAccuracy\n    newClassesAccuracy\n    evaluatedOn\n    targetAccuracy\n    rejectedReason\n    task {\n      ...TaskFields\n    }\n    heads {\n      ...HeadFields\n    }\n    live {\n      phase\n      done\n      total\n      head\n      heads\n      epoch\n      epochs\n      batch\n      batches\n      loss\n      accuracy\n      imagesPerSecond\n      etaSeconds\n    }\n  }\n": types.ExpansionRunFieldsFragmentDoc,
    "\n  query Heads($modelId: ID!) {\n    heads(modelId: $modelId) {\n      ...HeadFields\n    }\n  }\n": types.HeadsDocument,
    "\n  query ExpansionRun($modelId: ID!) {\n    expansionRun(modelId: $modelId) {\n      ...ExpansionRunFields\n    }\n  }\n": types.ExpansionRunDocument,
    "\n  subscription ExpansionProgress($modelId: ID!) {\n    expansionProgress(modelId: $modelId) {\n      ...ExpansionRunFields\n    }\n  }\n": types.ExpansionProgressDocument,
    "\n  mutation ExpandModel($modelId: ID!) {\n    expandModel(modelId: $modelId) {\n      ...TaskFields\n    }\n  }\n": types.ExpandModelDocument,
    "\n  mutation RemoveHead($id: ID!) {\n    removeHead(id: $id)\n  }\n": types.RemoveHeadDocument,
    "\n  mutation ExportModel($modelId: ID!) {\n    exportModel(modelId: $modelId) {\n      url\n      bytes\n      sha256\n      createdAt\n      verification {\n        images\n        top1Agreement\n        maxProbabilityDifference\n      }\n    }\n  }\n": types.ExportModelDocument,
    "\n  fragment ModelFields on Model {\n    id\n    name\n    status\n    inputWidth\n    inputHeight\n    inputChannels\n    expandable\n    targetAccuracy\n    targetPrecision\n    keepUncertain\n    keepUncertainCap\n    keepUncertainDays\n    underTarget\n    trainedAt\n    createdAt\n    updatedAt\n  }\n": types.ModelFieldsFragmentDoc,
    "\n  query Models($first: Int!, $offset: Int!) {\n    models(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...ModelFields\n      }\n    }\n  }\n": types.ModelsDocument,
    "\n  query Model($id: ID!) {\n    model(id: $id) {\n      ...ModelFields\n    }\n  }\n": types.ModelDocument,
    "\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelFields\n    }\n  }\n": types.CreateModelDocument,
    "\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      ...ModelFields\n    }\n  }\n": types.UpdateModelDocument,
    "\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n": types.DeleteModelDocument,
    "\n  subscription ModelUpdated($id: ID!) {\n    modelUpdated(id: $id) {\n      ...ModelFields\n    }\n  }\n": types.ModelUpdatedDocument,
    "\n  query ReviewQueue($modelId: ID!, $first: Int!, $after: String) {\n    reviewQueue(modelId: $modelId, first: $first, after: $after) {\n      totalCount\n      endCursor\n      hasNextPage\n      labelledSinceTraining\n      items {\n        margin\n        keptReason\n        image {\n          id\n          createdAt\n          thumbnailUrl\n        }\n        prediction {\n          classIndex\n          className\n          probability\n        }\n      }\n    }\n  }\n": types.ReviewQueueDocument,
    "\n  mutation LabelImages($ids: [ID!]!, $classId: ID!) {\n    labelImages(ids: $ids, classId: $classId)\n  }\n": types.LabelImagesDocument,
    "\n  mutation DiscardImages($ids: [ID!]!) {\n    discardImages(ids: $ids)\n  }\n": types.DiscardImagesDocument,
    "\n  mutation SetKeepUncertain($modelId: ID!, $keepUncertain: Boolean!, $cap: Int, $retentionDays: Int) {\n    setKeepUncertain(modelId: $modelId, keepUncertain: $keepUncertain, cap: $cap, retentionDays: $retentionDays) {\n      ...ModelFields\n    }\n  }\n": types.SetKeepUncertainDocument,
    "\n  fragment RunnerFields on Runner {\n    id\n    name\n    kind\n    status\n    disabled\n    backend\n    device\n    currentTaskId\n    currentTaskType\n    lastHeartbeatAt\n    createdAt\n  }\n": types.RunnerFieldsFragmentDoc,
    "\n  query Runners {\n    runners {\n      ...RunnerFields\n    }\n  }\n": types.RunnersDocument,
    "\n  subscription RunnerChanged {\n    runnerChanged {\n      ...RunnerFields\n    }\n  }\n": types.RunnerChangedDocument,
    "\n  mutation SetRunnerDisabled($id: ID!, $disabled: Boolean!) {\n    setRunnerDisabled(id: $id, disabled: $disabled) {\n      ...RunnerFields\n    }\n  }\n": types.SetRunnerDisabledDocument,
    "\n  mutation RestartRunner($id: ID!) {\n    restartRunner(id: $id) {\n      ...RunnerFields\n    }\n  }\n": types.RestartRunnerDocument,
    "\n  fragment TaskFields on Task {\n    id\n    type\n    status\n    priority\n    attempts\n    maxAttempts\n    cancelRequested\n    modelId\n    runnerId\n    progress\n    error\n    createdAt\n    startedAt\n    finishedAt\n    updatedAt\n  }\n": types.TaskFieldsFragmentDoc,
    "\n  query Tasks($first: Int!, $offset: Int!, $status: TaskStatus, $type: TaskType, $modelId: ID, $ownerId: ID) {\n    tasks(first: $first, offset: $offset, status: $status, type: $type, modelId: $modelId, ownerId: $ownerId) {\n      totalCount\n      hasNextPage\n      items {\n        ...TaskFields\n      }\n    }\n  }\n": types.TasksDocument,
    "\n  query TaskFilterChoices {\n    models(all: true, first: 100) {\n      items {\n        id\n        name\n      }\n    }\n    users(first: 100) {\n      items {\n        id\n        email\n      }\n    }\n  }\n": types.TaskFilterChoicesDocument,
    "\n  subscription TasksChanged {\n    tasksChanged {\n      ...TaskFields\n    }\n  }\n": types.TasksChangedDocument,
    "\n  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!) {\n    updateTask(id: $id, input: $input) {\n      ...TaskFields\n    }\n  }\n": types.UpdateTaskDocument,
    "\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n": types.CancelTaskDocument,
    "\n  mutation CreateDiagnosticTask($sleepMs: Int!, $fail: String) {\n    createDiagnosticTask(sleepMs: $sleepMs, fail: $fail) {\n      ...TaskFields\n    }\n  }\n": types.CreateDiagnosticTaskDocument,
    "\n  subscription TaskUpdated($id: ID!) {\n    taskUpdated(id: $id) {\n      ...TaskFields\n    }\n  }\n": types.TaskUpdatedDocument,
    "\n  query TaskResult($id: ID!) {\n    task(id: $id) {\n      id\n      status\n      result\n    }\n  }\n": types.TaskResultDocument,
    "\n  query TaskDetail($id: ID!) {\n    task(id: $id) {\n      ...TaskFields\n      ownerId\n      leaseExpiresAt\n      payload\n      result\n    }\n  }\n": types.TaskDetailDocument,
    "\n  fragment TokenFields on ApiToken {\n    id\n    name\n    kind\n    scope\n    prefix\n    createdAt\n    expiresAt\n    lastUsedAt\n    revokedAt\n  }\n": types.TokenFieldsFragmentDoc,
    "\n  query ApiTokens {\n    apiTokens {\n      ...TokenFields\n    }\n  }\n": types.ApiTokensDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n": types.RevokeApiTokenDocument,
    "\n  fragment TrainingRunFields on TrainingRun {\n    maxEpochs\n    stopAtTarget\n    selection\n    etaSeconds\n    task {\n      ...TaskFields\n    }\n    candidates {\n      id\n      name\n      family\n      params\n      status\n      epochsDone\n      bestValAccuracy\n      validationAccuracy\n      validationMargin\n      validationImages\n      testAccuracy\n      prunedReason\n      history {\n        epoch\n        loss\n        accuracy\n        valLoss\n        valAccuracy\n        imagesPerSecond\n        seconds\n      }\n      live {\n        phase\n        epoch\n        batch\n        batches\n        loss\n        accuracy\n        imagesPerSecond\n      }\n    }\n  }\n": types.TrainingRunFieldsFragmentDoc,
    "\n  query TrainingRun($modelId: ID!) {\n    trainingRun(modelId: $modelId) {\n      ...TrainingRunFields\n    }\n  }\n": types.TrainingRunDocument,
    "\n  subscription TrainingProgress($modelId: ID!) {\n    trainingProgress(modelId: $modelId) {\n      ...TrainingRunFields\n    }\n  }\n": types.TrainingProgressDocument,
    "\n  mutation TrainModel($modelId: ID!, $input: TrainModelInput!) {\n    trainModel(modelId: $modelId, input: $input) {\n      ...TaskFields\n    }\n  }\n": types.TrainModelDocument,
    "\n  query ModelEvaluation($modelId: ID!) {\n    modelEvaluation(modelId: $modelId) {\n      candidateId\n      networkName\n      networks\n      evaluatedOn\n      count\n      accuracy\n      classNames\n      confusion\n      perClass {\n        className\n        precision\n        recall\n        f1\n        support\n      }\n    }\n  }\n": types.ModelEvaluationDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users($first: Int!, $offset: Int!) {\n    users(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Users($first: Int!, $offset: Int!) {\n    users(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...UserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunnerTokens {\n    runnerTokens {\n      ...TokenFields\n    }\n  }\n"): (typeof documents)["\n  query RunnerTokens {\n    runnerTokens {\n      ...TokenFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateRunnerToken($name: String!) {\n    createRunnerToken(name: $name) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateRunnerToken($name: String!) {\n    createRunnerToken(name: $name) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeRunnerToken(id: $id) {\n      ...TokenFields\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeRunnerToken($id: ID!) {\n    revokeRunnerToken(id: $id) {\n      ...TokenFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: CredentialsInput!, $code: String) {\n    signUp(input: $input, code: $code) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: CredentialsInput!, $code: String) {\n    signUp(input: $input, code: $code) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogIn($input: CredentialsInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation LogIn($input: CredentialsInput!) {\n    logIn(input: $input) {\n      token\n      user {\n        ...UserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogOut {\n    logOut\n  }\n"): (typeof documents)["\n  mutation LogOut {\n    logOut\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserFields on User {\n    id\n    email\n    role\n    createdAt\n  }\n"): (typeof documents)["\n  fragment UserFields on User {\n    id\n    email\n    role\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Classify($modelId: ID!, $image: ImageInput!, $topK: Int!, $keep: Boolean!) {\n    classify(modelId: $modelId, image: $image, topK: $topK, keep: $keep) {\n      candidateId\n      keptImageId\n      accepted\n      threshold\n      predictions {\n        classIndex\n        className\n        probability\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Classify($modelId: ID!, $image: ImageInput!, $topK: Int!, $keep: Boolean!) {\n    classify(modelId: $modelId, image: $image, topK: $topK, keep: $keep) {\n      candidateId\n      keptImageId\n      accepted\n      threshold\n      predictions {\n        classIndex\n        className\n        probability\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClassifyBatch($modelId: ID!, $archive: Upload!, $topK: Int!) {\n    classifyBatch(modelId: $modelId, archive: $archive, topK: $topK) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation ClassifyBatch($modelId: ID!, $archive: Upload!, $topK: Int!) {\n    classifyBatch(modelId: $modelId, archive: $archive, topK: $topK) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DatasetClassFields on DatasetClass {\n    id\n    name\n    index\n    imageCount\n    trainCount\n    validationCount\n    testCount\n  }\n"): (typeof documents)["\n  fragment DatasetClassFields on DatasetClass {\n    id\n    name\n    index\n    imageCount\n    trainCount\n    validationCount\n    testCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Dataset($modelId: ID!) {\n    dataset(modelId: $modelId) {\n      modelId\n      imageCount\n      urlImageCount\n      classes {\n        ...DatasetClassFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Dataset($modelId: ID!) {\n    dataset(modelId: $modelId) {\n      modelId\n      imageCount\n      urlImageCount\n      classes {\n        ...DatasetClassFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Images($modelId: ID!, $classId: ID, $first: Int!, $offset: Int!) {\n    images(modelId: $modelId, classId: $classId, first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        id\n        classId\n        originalName\n        source\n        split\n        url\n        thumbnailUrl\n      }\n    }\n  }\n"): (typeof documents)["\n  query Images($modelId: ID!, $classId: ID, $first: Int!, $offset: Int!) {\n    images(modelId: $modelId, classId: $classId, first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        id\n        classId\n        originalName\n        source\n        split\n        url\n        thumbnailUrl\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ImportDataset($modelId: ID!, $file: Upload!) {\n    importDataset(modelId: $modelId, file: $file) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation ImportDataset($modelId: ID!, $file: Upload!) {\n    importDataset(modelId: $modelId, file: $file) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ImportReport($taskId: ID!) {\n    importReport(taskId: $taskId) {\n      taskId\n      kind\n      filesSeen\n      imported\n      skipped\n      seconds\n      imagesPerSecond\n      classes {\n        name\n        imported\n      }\n      skippedByReason {\n        reason\n        count\n      }\n      skippedFiles {\n        path\n        reason\n        detail\n      }\n      skippedNotListed\n    }\n  }\n"): (typeof documents)["\n  query ImportReport($taskId: ID!) {\n    importReport(taskId: $taskId) {\n      taskId\n      kind\n      filesSeen\n      imported\n      skipped\n      seconds\n      imagesPerSecond\n      classes {\n        name\n        imported\n      }\n      skippedByReason {\n        reason\n        count\n      }\n      skippedFiles {\n        path\n        reason\n        detail\n      }\n      skippedNotListed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteClass($id: ID!) {\n    deleteClass(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteClass($id: ID!) {\n    deleteClass(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteDataset($modelId: ID!) {\n    deleteDataset(modelId: $modelId)\n  }\n"): (typeof documents)["\n  mutation DeleteDataset($modelId: ID!) {\n    deleteDataset(modelId: $modelId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HeadFields on Head {\n    id\n    ordinal\n    status\n    classNames\n    noneOutput\n    accuracy\n    activatedAt\n    createdAt\n    rejectedReason\n  }\n"): (typeof documents)["\n  fragment HeadFields on Head {\n    id\n    ordinal\n    status\n    classNames\n    noneOutput\n    accuracy\n    activatedAt\n    createdAt\n    rejectedReason\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ExpansionRunFields on ExpansionRun {\n    outcome\n    newClasses\n    accuracy\n    oldClassesAccuracy\n    newClassesAccuracy\n    evaluatedOn\n    targetAccuracy\n    rejectedReason\n    task {\n      ...TaskFields\n    }\n    heads {\n      ...HeadFields\n    }\n    live {\n      phase\n      done\n      total\n      head\n      heads\n      epoch\n      epochs\n      batch\n      batches\n      loss\n      accuracy\n      imagesPerSecond\n      etaSeconds\n    }\n  }\n"): (typeof documents)["\n  fragment ExpansionRunFields on ExpansionRun {\n    outcome\n    newClasses\n    accuracy\n    oldClassesAccuracy\n    newClassesAccuracy\n    evaluatedOn\n    targetAccuracy\n    rejectedReason\n    task {\n      ...TaskFields\n    }\n    heads {\n      ...HeadFields\n    }\n    live {\n      phase\n      done\n      total\n      head\n      heads\n      epoch\n      epochs\n      batch\n      batches\n      loss\n      accuracy\n      imagesPerSecond\n      etaSeconds\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Heads($modelId: ID!) {\n    heads(modelId: $modelId) {\n      ...HeadFields\n    }\n  }\n"): (typeof documents)["\n  query Heads($modelId: ID!) {\n    heads(modelId: $modelId) {\n      ...HeadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ExpansionRun($modelId: ID!) {\n    expansionRun(modelId: $modelId) {\n      ...ExpansionRunFields\n    }\n  }\n"): (typeof documents)["\n  query ExpansionRun($modelId: ID!) {\n    expansionRun(modelId: $modelId) {\n      ...ExpansionRunFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ExpansionProgress($modelId: ID!) {\n    expansionProgress(modelId: $modelId) {\n      ...ExpansionRunFields\n    }\n  }\n"): (typeof documents)["\n  subscription ExpansionProgress($modelId: ID!) {\n    expansionProgress(modelId: $modelId) {\n      ...ExpansionRunFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExpandModel($modelId: ID!) {\n    expandModel(modelId: $modelId) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation ExpandModel($modelId: ID!) {\n    expandModel(modelId: $modelId) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveHead($id: ID!) {\n    removeHead(id: $id)\n  }\n"): (typeof documents)["\n  mutation RemoveHead($id: ID!) {\n    removeHead(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExportModel($modelId: ID!) {\n    exportModel(modelId: $modelId) {\n      url\n      bytes\n      sha256\n      createdAt\n      verification {\n        images\n        top1Agreement\n        maxProbabilityDifference\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ExportModel($modelId: ID!) {\n    exportModel(modelId: $modelId) {\n      url\n      bytes\n      sha256\n      createdAt\n      verification {\n        images\n        top1Agreement\n        maxProbabilityDifference\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ModelFields on Model {\n    id\n    name\n    status\n    inputWidth\n    inputHeight\n    inputChannels\n    expandable\n    targetAccuracy\n    targetPrecision\n    keepUncertain\n    keepUncertainCap\n    keepUncertainDays\n    underTarget\n    trainedAt\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment ModelFields on Model {\n    id\n    name\n    status\n    inputWidth\n    inputHeight\n    inputChannels\n    expandable\n    targetAccuracy\n    targetPrecision\n    keepUncertain\n    keepUncertainCap\n    keepUncertainDays\n    underTarget\n    trainedAt\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Models($first: Int!, $offset: Int!) {\n    models(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...ModelFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Models($first: Int!, $offset: Int!) {\n    models(first: $first, offset: $offset) {\n      totalCount\n      hasNextPage\n      items {\n        ...ModelFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Model($id: ID!) {\n    model(id: $id) {\n      ...ModelFields\n    }\n  }\n"): (typeof documents)["\n  query Model($id: ID!) {\n    model(id: $id) {\n      ...ModelFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      ...ModelFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      ...ModelFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ModelUpdated($id: ID!) {\n    modelUpdated(id: $id) {\n      ...ModelFields\n    }\n  }\n"): (typeof documents)["\n  subscription ModelUpdated($id: ID!) {\n    modelUpdated(id: $id) {\n      ...ModelFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewQueue($modelId: ID!, $first: Int!, $after: String) {\n    reviewQueue(modelId: $modelId, first: $first, after: $after) {\n      totalCount\n      endCursor\n      hasNextPage\n      labelledSinceTraining\n      items {\n        margin\n        keptReason\n        image {\n          id\n          createdAt\n          thumbnailUrl\n        }\n        prediction {\n          classIndex\n          className\n          probability\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ReviewQueue($modelId: ID!, $first: Int!, $after: String) {\n    reviewQueue(modelId: $modelId, first: $first, after: $after) {\n      totalCount\n      endCursor\n      hasNextPage\n      labelledSinceTraining\n      items {\n        margin\n        keptReason\n        image {\n          id\n          createdAt\n          thumbnailUrl\n        }\n        prediction {\n          classIndex\n          className\n          probability\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LabelImages($ids: [ID!]!, $classId: ID!) {\n    labelImages(ids: $ids, classId: $classId)\n  }\n"): (typeof documents)["\n  mutation LabelImages($ids: [ID!]!, $classId: ID!) {\n    labelImages(ids: $ids, classId: $classId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DiscardImages($ids: [ID!]!) {\n    discardImages(ids: $ids)\n  }\n"): (typeof documents)["\n  mutation DiscardImages($ids: [ID!]!) {\n    discardImages(ids: $ids)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetKeepUncertain($modelId: ID!, $keepUncertain: Boolean!, $cap: Int, $retentionDays: Int) {\n    setKeepUncertain(modelId: $modelId, keepUncertain: $keepUncertain, cap: $cap, retentionDays: $retentionDays) {\n      ...ModelFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetKeepUncertain($modelId: ID!, $keepUncertain: Boolean!, $cap: Int, $retentionDays: Int) {\n    setKeepUncertain(modelId: $modelId, keepUncertain: $keepUncertain, cap: $cap, retentionDays: $retentionDays) {\n      ...ModelFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RunnerFields on Runner {\n    id\n    name\n    kind\n    status\n    disabled\n    backend\n    device\n    currentTaskId\n    currentTaskType\n    lastHeartbeatAt\n    createdAt\n  }\n"): (typeof documents)["\n  fragment RunnerFields on Runner {\n    id\n    name\n    kind\n    status\n    disabled\n    backend\n    device\n    currentTaskId\n    currentTaskType\n    lastHeartbeatAt\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Runners {\n    runners {\n      ...RunnerFields\n    }\n  }\n"): (typeof documents)["\n  query Runners {\n    runners {\n      ...RunnerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunnerChanged {\n    runnerChanged {\n      ...RunnerFields\n    }\n  }\n"): (typeof documents)["\n  subscription RunnerChanged {\n    runnerChanged {\n      ...RunnerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetRunnerDisabled($id: ID!, $disabled: Boolean!) {\n    setRunnerDisabled(id: $id, disabled: $disabled) {\n      ...RunnerFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetRunnerDisabled($id: ID!, $disabled: Boolean!) {\n    setRunnerDisabled(id: $id, disabled: $disabled) {\n      ...RunnerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RestartRunner($id: ID!) {\n    restartRunner(id: $id) {\n      ...RunnerFields\n    }\n  }\n"): (typeof documents)["\n  mutation RestartRunner($id: ID!) {\n    restartRunner(id: $id) {\n      ...RunnerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TaskFields on Task {\n    id\n    type\n    status\n    priority\n    attempts\n    maxAttempts\n    cancelRequested\n    modelId\n    runnerId\n    progress\n    error\n    createdAt\n    startedAt\n    finishedAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment TaskFields on Task {\n    id\n    type\n    status\n    priority\n    attempts\n    maxAttempts\n    cancelRequested\n    modelId\n    runnerId\n    progress\n    error\n    createdAt\n    startedAt\n    finishedAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Tasks($first: Int!, $offset: Int!, $status: TaskStatus, $type: TaskType, $modelId: ID, $ownerId: ID) {\n    tasks(first: $first, offset: $offset, status: $status, type: $type, modelId: $modelId, ownerId: $ownerId) {\n      totalCount\n      hasNextPage\n      items {\n        ...TaskFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Tasks($first: Int!, $offset: Int!, $status: TaskStatus, $type: TaskType, $modelId: ID, $ownerId: ID) {\n    tasks(first: $first, offset: $offset, status: $status, type: $type, modelId: $modelId, ownerId: $ownerId) {\n      totalCount\n      hasNextPage\n      items {\n        ...TaskFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskFilterChoices {\n    models(all: true, first: 100) {\n      items {\n        id\n        name\n      }\n    }\n    users(first: 100) {\n      items {\n        id\n        email\n      }\n    }\n  }\n"): (typeof documents)["\n  query TaskFilterChoices {\n    models(all: true, first: 100) {\n      items {\n        id\n        name\n      }\n    }\n    users(first: 100) {\n      items {\n        id\n        email\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TasksChanged {\n    tasksChanged {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  subscription TasksChanged {\n    tasksChanged {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!) {\n    updateTask(id: $id, input: $input) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!) {\n    updateTask(id: $id, input: $input) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDiagnosticTask($sleepMs: Int!, $fail: String) {\n    createDiagnosticTask(sleepMs: $sleepMs, fail: $fail) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDiagnosticTask($sleepMs: Int!, $fail: String) {\n    createDiagnosticTask(sleepMs: $sleepMs, fail: $fail) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TaskUpdated($id: ID!) {\n    taskUpdated(id: $id) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  subscription TaskUpdated($id: ID!) {\n    taskUpdated(id: $id) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskResult($id: ID!) {\n    task(id: $id) {\n      id\n      status\n      result\n    }\n  }\n"): (typeof documents)["\n  query TaskResult($id: ID!) {\n    task(id: $id) {\n      id\n      status\n      result\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskDetail($id: ID!) {\n    task(id: $id) {\n      ...TaskFields\n      ownerId\n      leaseExpiresAt\n      payload\n      result\n    }\n  }\n"): (typeof documents)["\n  query TaskDetail($id: ID!) {\n    task(id: $id) {\n      ...TaskFields\n      ownerId\n      leaseExpiresAt\n      payload\n      result\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TokenFields on ApiToken {\n    id\n    name\n    kind\n    scope\n    prefix\n    createdAt\n    expiresAt\n    lastUsedAt\n    revokedAt\n  }\n"): (typeof documents)["\n  fragment TokenFields on ApiToken {\n    id\n    name\n    kind\n    scope\n    prefix\n    createdAt\n    expiresAt\n    lastUsedAt\n    revokedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiTokens {\n    apiTokens {\n      ...TokenFields\n    }\n  }\n"): (typeof documents)["\n  query ApiTokens {\n    apiTokens {\n      ...TokenFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        ...TokenFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      ...TokenFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TrainingRunFields on TrainingRun {\n    maxEpochs\n    stopAtTarget\n    selection\n    etaSeconds\n    task {\n      ...TaskFields\n    }\n    candidates {\n      id\n      name\n      family\n      params\n      status\n      epochsDone\n      bestValAccuracy\n      validationAccuracy\n      validationMargin\n      validationImages\n      testAccuracy\n      prunedReason\n      history {\n        epoch\n        loss\n        accuracy\n        valLoss\n        valAccuracy\n        imagesPerSecond\n        seconds\n      }\n      live {\n        phase\n        epoch\n        batch\n        batches\n        loss\n        accuracy\n        imagesPerSecond\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment TrainingRunFields on TrainingRun {\n    maxEpochs\n    stopAtTarget\n    selection\n    etaSeconds\n    task {\n      ...TaskFields\n    }\n    candidates {\n      id\n      name\n      family\n      params\n      status\n      epochsDone\n      bestValAccuracy\n      validationAccuracy\n      validationMargin\n      validationImages\n      testAccuracy\n      prunedReason\n      history {\n        epoch\n        loss\n        accuracy\n        valLoss\n        valAccuracy\n        imagesPerSecond\n        seconds\n      }\n      live {\n        phase\n        epoch\n        batch\n        batches\n        loss\n        accuracy\n        imagesPerSecond\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TrainingRun($modelId: ID!) {\n    trainingRun(modelId: $modelId) {\n      ...TrainingRunFields\n    }\n  }\n"): (typeof documents)["\n  query TrainingRun($modelId: ID!) {\n    trainingRun(modelId: $modelId) {\n      ...TrainingRunFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TrainingProgress($modelId: ID!) {\n    trainingProgress(modelId: $modelId) {\n      ...TrainingRunFields\n    }\n  }\n"): (typeof documents)["\n  subscription TrainingProgress($modelId: ID!) {\n    trainingProgress(modelId: $modelId) {\n      ...TrainingRunFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TrainModel($modelId: ID!, $input: TrainModelInput!) {\n    trainModel(modelId: $modelId, input: $input) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation TrainModel($modelId: ID!, $input: TrainModelInput!) {\n    trainModel(modelId: $modelId, input: $input) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModelEvaluation($modelId: ID!) {\n    modelEvaluation(modelId: $modelId) {\n      candidateId\n      networkName\n      networks\n      evaluatedOn\n      count\n      accuracy\n      classNames\n      confusion\n      perClass {\n        className\n        precision\n        recall\n        f1\n        support\n      }\n    }\n  }\n"): (typeof documents)["\n  query ModelEvaluation($modelId: ID!) {\n    modelEvaluation(modelId: $modelId) {\n      candidateId\n      networkName\n      networks\n      evaluatedOn\n      count\n      accuracy\n      classNames\n      confusion\n      perClass {\n        className\n        precision\n        recall\n        f1\n        support\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;