/** The CLI's subcommands in pipeline order; each module registers one command. */
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { registerFetch } from './fetch';
import { registerImport } from './import';
import { registerTrain } from './train';
import { registerValidate } from './validate';
import { registerPreprocess } from './preprocess';
import { registerServe } from './serve';
import { registerWatch } from './watch';
import { registerCalibrate } from './calibrate';
import { registerTest } from './test';
import { registerDetect } from './detect';
import { registerMockRadar } from './mock-radar';
import { registerTune } from './tune';
import { registerAnalyze } from './analyze';
import { registerBenchmark } from './benchmark';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export const COMMANDS: RegisterCommand[] = [registerFetch, registerPreprocess, registerImport, registerTrain, registerValidate, registerTune, registerCalibrate, registerTest, registerDetect, registerAnalyze, registerBenchmark, registerServe, registerWatch, registerMockRadar];
