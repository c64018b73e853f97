/** The CLI's subcommands in pipeline order; each module registers one command. */
import type { Command } from 'commander';
import type { CliContext } from '../context';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export const COMMANDS: RegisterCommand[] = [];
