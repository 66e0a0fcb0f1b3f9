/**
 * The version both ends of every channel compare first: a page or worker from an older
 * build says so in a sentence instead of misreading messages.
 * 2: runs are bound to the session that started them (train/init carry a session,
 * runFinished/runFailed name it); the page's boot says whether it trains.
 * 3: runs train side by side on a pool of workers: init/train carry the user's
 * maxWorkers, status lists every run in progress, the saved state every run that was.
 * 4: stored runs arrive as showRuns (a stored run, a comparison, the runs a reloaded
 * session had finished); the page asks the host to save files, copy text, open a spec.
 */
export const PROTOCOL_VERSION = 4;
