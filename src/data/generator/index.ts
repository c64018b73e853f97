/** Public surface of the embedded Radar-like generator (normal shape, anomalies, quality artefacts, labels). */
export { createGenerator, type RadarGenerator, type SimulatedSeries } from './simulate';
export { countryProfile, diurnalLevel, type CountryProfile } from './profile';
export { KIND_WEIGHTS, KIND_DURATION_HOURS, MIN_ANOMALY_GAP_MS, envelopeAt, hourEnvelope, type InjectedAnomaly } from './anomalies';
export { GENERATED_SERIES, SERIES_DATA_SOURCE, PIPELINE_SOURCES, pipelineAffects, type GeneratedSeries, type PipelineWindow } from './quality';
export {
  outageAnnotation,
  trafficAnomalyItem,
  pipelineAnnotation,
  labelWindows,
  isOutageKind,
  anomalyDataSources,
  describeAnomaly,
  type RadarOutageAnnotation,
  type RadarTrafficAnomaly,
  type RadarPipelineAnnotation,
} from './labels';
