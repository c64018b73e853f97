/** Public API of radarwatch: notebooks, scripts, the server and tests import from here. */
export * from './errors';
export * from './data/types';
export * from './config/schema';
export * from './config/load';
export * from './util/countries';
export * from './util/fsx';
export * from './util/random';
export * from './data/paths';
export * from './util/calendar';
export * from './features/types';
