export type { FeatureMatrix, ResolvedFeature } from './types';
export { resolveFeatures, featureNames } from './resolver';
export { alignToBase } from './align';
export { buildFeatureMatrix, FeatureBuildError, type BuildFeatureOptions } from './matrix';
export { normalizationSpecs, fitNormalization, applyNormalization, type NormalizationSpec, type NormalizationStats, type ColumnStats } from './normalization';
