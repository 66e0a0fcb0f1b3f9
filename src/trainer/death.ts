/**
 * The death signal of a training worker, for the platforms to build their TrainerWorker
 * on (a worker thread in the CLI, a Web Worker in the panel): the first death is told to
 * every listener once; after the owner's own terminate nothing is a death any more.
 */
export interface DeathNotice {
  die(why: string): void;
  onDeath(listener: (why: string) => void): void;
  /** the owner ended the worker: an exit or error from now on is expected */
  end(): void;
}

export function deathNotice(): DeathNotice {
  const listeners: ((why: string) => void)[] = [];
  let over = false;
  return {
    die(why) {
      if (over) return;
      over = true;
      for (const l of listeners) l(why);
    },
    onDeath: (listener) => void listeners.push(listener),
    end: () => void (over = true),
  };
}
