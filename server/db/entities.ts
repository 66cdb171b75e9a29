import { Invitation } from '../auth/invitation.entity';
import { Token } from '../auth/token.entity';
import { User } from '../auth/user.entity';
import { Image } from '../datasets/image.entity';
import { ModelClass } from '../models/model-class.entity';
import { Model } from '../models/model.entity';
import { Runner } from '../runners/runner.entity';
import { Blob } from '../storage/blob.entity';
import { Task } from '../tasks/task.entity';
import { Candidate } from '../training/candidate.entity';
import { Head } from '../training/head.entity';

export const entities = [User, Token, Invitation, Model, ModelClass, Image, Candidate, Head, Task, Runner, Blob];
