#!/usr/bin/env node
import 'reflect-metadata';
import { runClusterCli } from './run-tributary-cli';

void runClusterCli(process.argv);
