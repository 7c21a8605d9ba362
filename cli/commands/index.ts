/** Every subcommand, in the order `driftwatch --help` lists them. */
import type { Command } from '../command.js';
import { replayCommand } from './replay.js';
import { queryCommand, sqlMigrateCommand } from './store-commands.js';

export const commands: readonly Command[] = [replayCommand, sqlMigrateCommand, queryCommand];
