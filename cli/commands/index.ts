/** Every subcommand, in the order `driftwatch --help` lists them. */
import type { Command } from '../command.js';
import { demoCommand } from './demo.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';
import { schemasRegisterCommand } from './schemas.js';
import { queryCommand, sqlMigrateCommand } from './store-commands.js';
import { topicsCreateCommand } from './topics.js';

export const commands: readonly Command[] = [runCommand, replayCommand, demoCommand, topicsCreateCommand, sqlMigrateCommand, queryCommand, schemasRegisterCommand];
