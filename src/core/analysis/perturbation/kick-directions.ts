/**
 * The directions the perturbation explorer offers (science §4.6's families, each as one vector).
 * A leaf module on purpose: the panel's UI bundle validates messages with it, and importing it
 * from kick.ts would pull the dynamics (and tfjs) onto the UI thread.
 */
export const KICK_DIRECTIONS = ['w_out', 'pc1', 'pc2', 'rand', 'w_in'] as const;
export type KickDirection = (typeof KICK_DIRECTIONS)[number];
