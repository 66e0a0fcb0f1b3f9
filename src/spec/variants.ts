/**
 * From a validated spec to concrete runs: each variant, at each point of the sweep grid,
 * is merged over the top-level settings, then defaults are filled (after the merge, so a
 * variant's or a grid point's output_scale picks its own learning rate), then every
 * variant and point is repeated over the seeds.
 */
import type { AnalysisKind, EvaluationConfig, NetworkConfig, NoiseConfig, RunConfig, TaskParams, TrainingConfig, ViewConfig } from '../core/types';
import { completeObject, type DefaultContext } from './defaults';
import { flatten } from './describe';
import type { JsonObject } from './json';
import { definition, SCHEMA, taskSchema, type JsonSchema } from './schema';
import { slug } from '../store/names';
import { gridPoints, pointCoordinates, pointOverrides, runPrefix, type GridPoint } from './sweep';
import type { RnnSpec, VariantSpec } from './types.gen';

/** A variant at one grid point, after merging and defaults, before seed expansion. */
export interface ResolvedVariant {
  /** as written; `default` for a spec without variants */
  name: string;
  /** filesystem-safe name of the variant and point, the prefix of its runs' names */
  slug: string;
  /** index in spec.variants, undefined for the implicit default variant */
  index: number | undefined;
  /** the sweep's values for these runs; empty without a sweep */
  point: GridPoint;
  config: Omit<RunConfig, 'name' | 'variant' | 'seed_index'>;
}

const DEFAULT_VARIANT = 'default';

/**
 * The schema validated the layers, and tests check that the schema's fields and
 * defaults cover the core's config types; this is the one place that relies on it.
 */
function complete<T>(schema: JsonSchema, ctx: DefaultContext, ...layers: (object | undefined)[]): T {
  return completeObject(schema, ctx, ...layers) as unknown as T;
}

function schemaDefault<T>(name: string): T {
  return structuredClone(flatten(definition(name)).default) as T;
}

function resolveVariant(spec: RnnSpec, variant: VariantSpec | undefined, index: number | undefined, point: GridPoint): ResolvedVariant {
  const kind = spec.task.kind;
  const networkSchema = definition('network');
  const schemaCtx: DefaultContext = { kind, output_scale: 'large', g: 1.5 };
  const at = pointOverrides(point);
  // network fields have plain defaults; the by-task tables below depend on the result
  const network = complete<NetworkConfig>(networkSchema, schemaCtx, spec.network, variant?.network, at.network);
  const ctx: DefaultContext = { kind, output_scale: network.output_scale, g: network.g };
  const name = variant?.name ?? DEFAULT_VARIANT;
  const swept = point.length > 0;
  return {
    name,
    slug: swept ? runPrefix(variant !== undefined ? slug(name) : undefined, point) : slug(name),
    index,
    point,
    config: {
      task: complete<TaskParams>(taskSchema(kind), ctx, spec.task, variant?.task, at.task, { kind }),
      network,
      noise: complete<NoiseConfig>(definition('noise'), ctx, spec.noise, variant?.noise, at.noise),
      training: complete<TrainingConfig>(definition('training'), ctx, spec.training, variant?.training, at.training),
      evaluation: complete<EvaluationConfig>(definition('evaluation'), ctx, spec.evaluation, variant?.evaluation, at.evaluation),
      analysis: structuredClone(spec.analysis) ?? schemaDefault<AnalysisKind[]>('analysis'),
      view: complete<ViewConfig>(definition('view'), ctx, spec.view),
      ...(swept ? { coordinates: pointCoordinates(point) } : {}),
    },
  };
}

/** Every variant at every grid point, variants outermost, the grid in the order sweep.ts gives. */
export function resolveVariants(spec: RnnSpec): ResolvedVariant[] {
  const vs = spec.variants ?? [];
  const points = gridPoints(spec as unknown as JsonObject);
  const variants: [VariantSpec | undefined, number | undefined][] = vs.length === 0 ? [[undefined, undefined]] : vs.map((v, i) => [v, i]);
  return variants.flatMap(([v, i]) => points.map((p) => resolveVariant(spec, v, i, p)));
}

/** Runs `<variant>[-<coordinates>]-s<seed>` for seeds training.seed ... training.seed + seeds - 1, each an independent copy. */
export function expandSeeds(variants: readonly ResolvedVariant[], seeds: number): RunConfig[] {
  const runs: RunConfig[] = [];
  for (const v of variants) {
    for (let i = 0; i < seeds; i++) {
      const { coordinates, ...c } = structuredClone(v.config);
      const seed = c.training.seed + i;
      // the coordinates come right after the seed index, as run.json shows them
      runs.push({ ...c, name: `${v.slug}-s${seed}`, variant: v.name, seed_index: i, ...(coordinates !== undefined ? { coordinates } : {}), training: { ...c.training, seed } });
    }
  }
  return runs;
}

export function seedCount(spec: RnnSpec): number {
  if (spec.seeds !== undefined) return spec.seeds;
  const d = SCHEMA.properties?.seeds?.default;
  if (typeof d !== 'number') throw new Error('the schema gives no default for seeds');
  return d;
}
