/**
 * The recordings page (*RNN Lab: Analyse recording…*, docs/science.md §4.9): the
 * recording's top PCs in 3D with the decoder's readout arrow(s), drawn by the networks'
 * TrajectoryView; the projected fraction and the PC variances under it; the measures
 * table (Copy CSV / Markdown); the subsampling curve, log-log with its fitted slope
 * (Save PNG / SVG); and where the signatures place it between aligned and oblique. The
 * host runs the analysis and sends progress, then the result or a sentence on failure.
 */
import { decodeRecordingView, type RecordingMeasures, type ToPanel } from '../../../src/protocol';
import type { RecordingView } from '../../../src/core/recording/view';
import type { BootData } from '../boot-data';
import { button, h, setText } from '../dom';
import { conditionPalette } from '../colour';
import { CameraLink } from '../scene/camera-link';
import type { PictureLegendItem } from '../scene/view-png';
import { RenderScheduler } from '../scene/render-scheduler';
import { TrajectoryView, type Basis, type GpuMemory } from '../scene/trajectory-view';
import { ThemeWatcher, type Theme } from '../theme';
import type { HostTransport } from '../transport';
import { chartSvg, svgToPng } from '../views/charts/chart-svg';
import { LineChart } from '../views/charts/line-chart';
import { imageButtons, slug, tableButtons, type ExportSink } from '../views/export';
import type { TableData } from '../views/table-data';
import { caption, measuresTable, placement, subsamplingModel } from './recording-model';
import { PROTOCOL_VERSION } from '../../../src/protocol/version';

export interface RecordingDiagnostics {
  state: 'waiting' | 'running' | 'done' | 'failed';
  disposed: boolean;
  arrows: number;
  fractions: number[];
  gpu: GpuMemory;
  frames: RenderScheduler['stats'];
  theme: Theme['kind'];
}

const PHASES: Record<Extract<ToPanel, { type: 'recordingProgress' }>['phase'], string> = {
  reading: 'Reading the file',
  analysing: 'Fitting the decoder, the PCs and the fitting dimension',
  subsampling: 'Refitting the decoder on subsets of the neurons',
};

export class RecordingApp {
  private readonly scheduler = new RenderScheduler();
  private readonly themeWatcher: ThemeWatcher;
  private readonly link = new CameraLink();
  private readonly view: TrajectoryView;
  private readonly chart: LineChart;
  private readonly title = h('h1', { class: 'recording-title' });
  private readonly status = h('p', { class: 'recording-status muted', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly progress = h('progress', { class: 'recording-progress', attrs: { max: 1, value: 0, 'aria-label': 'Analysis progress' } });
  private readonly problem = h('p', { class: 'banner error', attrs: { role: 'alert' } });
  private readonly notice = h('p', { class: 'banner note', attrs: { role: 'status' } });
  private readonly captionEl = h('p', { class: 'recording-caption' });
  private readonly placementEl = h('p', { class: 'recording-placement' });
  private readonly tableBody = h('tbody');
  private readonly chartTitle = h('h3', { class: 'chart-title', attrs: { id: 'subsampling-title' }, text: 'Neuron subsampling' });
  private readonly results: HTMLElement;
  private readonly basisButtons: Record<Basis, HTMLButtonElement>;
  private readonly stopListening: () => void;
  private state: RecordingDiagnostics['state'] = 'waiting';
  private file = '';
  private measures: RecordingMeasures | undefined;
  private data: RecordingView | undefined;
  private disposed = false;

  constructor(
    root: HTMLElement,
    private readonly transport: HostTransport,
    boot: BootData,
  ) {
    this.themeWatcher = new ThemeWatcher((t) => this.onTheme(t));
    const theme = this.themeWatcher.current;
    const sink = this.exportSink();
    setText(this.title, `Recording: ${boot.specName}`);
    this.view = new TrajectoryView('recording', {
      scheduler: this.scheduler,
      link: this.link,
      theme,
      onResetRequest: () => {
        this.link.userMoved = false;
        this.frame();
      },
      onDataFramed: () => this.frame(),
      title: boot.specName,
    });
    this.view.appendHeadControls(imageButtons(sink, () => 'pcs-3d', () => this.view.toPng(this.pictureLegend())));
    this.basisButtons = {
      pca: button('PC1–3', { class: 'seg', title: 'The top three principal components of the activity' }),
      readout: button('w_out + PCs', { class: 'seg', title: 'The first readout and the top two PCs of the activity orthogonal to it' }),
    };
    for (const [basis, b] of Object.entries(this.basisButtons) as [Basis, HTMLButtonElement][]) {
      b.setAttribute('aria-pressed', String(basis === 'pca'));
      b.addEventListener('click', () => this.setBasis(basis));
    }
    this.chart = new LineChart(this.scheduler, theme, () => this.chartModel(), { label: 'ρ√n against the neurons kept n, log-log, with the least-squares power law', height: 240 });
    const tableData = (): TableData => (this.measures ? measuresTable(this.measures, this.data) : { title: 'Recording measures', columns: [], rows: [] });
    const svg = () => chartSvg(this.chartModel(), this.themeWatcher.current).svg;
    const png = () => svgToPng(chartSvg(this.chartModel(), this.themeWatcher.current), 2);
    this.results = h('main', { class: 'panel-body recording-body' },
      h('section', { class: 'card recording-scene', attrs: { 'aria-labelledby': 'recording-scene-title' } },
        h('div', { class: 'card-head' },
          h('h2', { class: 'card-title', text: 'Top principal components and the decoder', attrs: { id: 'recording-scene-title' } }),
          h('div', { class: 'segmented', attrs: { role: 'group', 'aria-label': 'Basis of the 3D view' } }, this.basisButtons.pca, this.basisButtons.readout),
        ),
        this.view.element,
        this.captionEl,
      ),
      h('section', { class: 'card recording-placement-card', attrs: { 'aria-labelledby': 'placement-title' } },
        h('h2', { class: 'card-title', text: 'Between aligned and oblique', attrs: { id: 'placement-title' } }),
        this.placementEl,
      ),
      h('div', { class: 'side-by-side' },
        h('section', { class: 'card measures-card', attrs: { 'aria-labelledby': 'recording-measures-title' } },
          h('div', { class: 'card-head' }, h('h2', { class: 'card-title', text: 'Measures', attrs: { id: 'recording-measures-title' } }), tableButtons(sink, tableData)),
          h('div', { class: 'table-wrap', attrs: { tabindex: 0, role: 'region', 'aria-labelledby': 'recording-measures-title' } },
            h('table', { class: 'data-table recording-measures' },
              h('thead', {}, h('tr', {}, ...['measure', 'value', 'the paper’s data (Figs 7, 8)'].map((c, i) => h('th', { class: i === 1 ? 'num' : '', text: c, attrs: { scope: 'col' } })))),
              this.tableBody,
            ),
          ),
        ),
        h('section', { class: 'card chart-card', attrs: { 'aria-labelledby': 'subsampling-card-title', 'data-card': 'subsampling' } },
          h('h2', { class: 'card-title', text: 'Neuron subsampling (Fig 8)', attrs: { id: 'subsampling-card-title' } }),
          h('figure', { class: 'chart-figure', attrs: { 'data-chart': 'subsampling', 'aria-labelledby': 'subsampling-title' } },
            h('figcaption', { class: 'chart-head' }, this.chartTitle, imageButtons(sink, () => 'subsampling', png, svg)),
            this.chart.element,
          ),
        ),
      ),
    );
    this.results.hidden = true;
    this.problem.hidden = true;
    this.notice.hidden = true;
    root.replaceChildren(h('header', { class: 'panel-header' }, this.title, h('div', { class: 'header-row' }, this.status, this.progress), this.problem, this.notice), this.results);
    this.stopListening = transport.listen(
      (msg) => this.handle(msg),
      (why) => {
        if (this.disposed) return;
        this.transport.send({ type: 'log', level: 'warn', message: `recording page ignored a message: ${why}` });
        this.showProblem(`The panel ignored a message from the extension: ${why}`);
      },
    );
  }

  start(): void {
    this.transport.send({ type: 'ready', version: PROTOCOL_VERSION });
    setText(this.status, 'Waiting for the extension…');
  }

  handle(msg: ToPanel): void {
    if (this.disposed) return;
    switch (msg.type) {
      case 'recordingInit':
        this.file = msg.file;
        setText(this.title, `Recording: ${msg.title}`);
        this.title.title = msg.file;
        return;
      case 'recordingProgress': {
        this.state = 'running';
        const counted = msg.phase === 'subsampling' && msg.total > 0;
        setText(this.status, `${PHASES[msg.phase]}${counted ? ` (${msg.done} of ${msg.total} refits)` : '…'}`);
        this.progress.hidden = false;
        if (counted) this.progress.value = msg.done / msg.total;
        else this.progress.removeAttribute('value');
        return;
      }
      case 'recordingResult':
        return this.showResult(msg.measures, msg.view);
      case 'recordingFailed':
        this.state = 'failed';
        this.progress.hidden = true;
        setText(this.status, '');
        return this.showProblem(msg.message);
      case 'notice':
        if (msg.level === 'error') return this.showProblem(msg.message);
        this.notice.hidden = false;
        return setText(this.notice, msg.message);
      case 'visibility':
        return this.scheduler.setVisible(msg.visible);
      default:
        // the messages of a panel of runs: not for this page
        return;
    }
  }

  diagnostics(): RecordingDiagnostics {
    return {
      state: this.state,
      disposed: this.disposed,
      arrows: this.data?.readouts.length ?? 0,
      fractions: this.data?.readouts.map((r) => r.fraction) ?? [],
      gpu: this.view.gpuMemory(),
      frames: this.scheduler.stats,
      theme: this.themeWatcher.current.kind,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopListening();
    this.scheduler.dispose();
    this.view.dispose();
    this.view.releaseContext();
    this.chart.dispose();
    this.themeWatcher.dispose();
  }

  private showResult(measures: RecordingMeasures, env: Parameters<typeof decodeRecordingView>[0]): void {
    let view: RecordingView;
    try {
      view = decodeRecordingView(env);
    } catch (e) {
      this.state = 'failed';
      return this.showProblem((e as Error).message);
    }
    this.state = 'done';
    this.measures = measures;
    this.data = view;
    this.progress.hidden = true;
    this.problem.hidden = true;
    setText(this.status, `${measures.source}; ${measures.samples} samples${measures.dropped ? ` (${measures.dropped} with NaN dropped)` : ''}, ${measures.N} neurons, ${measures.outputs} output${measures.outputs > 1 ? 's' : ''}.`);
    this.results.hidden = false;
    this.view.show({ projection: view.projection, condition: view.condition, conditionLabels: view.conditionLabels }, this.currentBasis(), {
      runName: this.file.split(/[\\/]/).pop() ?? 'recording',
      step: 0,
      steps: 0,
      dt: 1,
      explained: view.explained_variance,
      final: true,
      subtitle: `${measures.N} neurons · ${view.trials > 1 ? `${view.trials} trials × ${view.time} time points` : `${view.time} samples`}`,
    });
    this.captionEl.dataset.fractions = view.readouts.map((r) => r.fraction).join(' ');
    setText(this.captionEl, caption(view));
    const place = placement(measures);
    this.placementEl.dataset.lean = place.lean;
    setText(this.placementEl, place.text);
    const table = measuresTable(measures, view);
    this.tableBody.replaceChildren(...table.rows.map((r) => h('tr', {}, ...r.map((c, i) => h(i === 0 ? 'th' : 'td', { class: i === 1 ? 'num' : i === 2 ? 'muted' : '', text: c, ...(i === 0 ? { attrs: { scope: 'row' } } : {}) })))));
    setText(this.chartTitle, this.chartModel().title);
    this.chart.invalidate();
  }

  private chartModel() {
    const m = this.measures;
    const theme = this.themeWatcher.current;
    if (m) return subsamplingModel(m, theme);
    return { title: 'Neuron subsampling', x: [], ys: [], series: [], xLabel: 'neurons kept n', yLabel: 'ρ√n', legend: [], empty: 'Waiting for the analysis.' };
  }

  /** The conditions' colours for the 3D view's PNG, as the panel's views give them. */
  private pictureLegend(): PictureLegendItem[] {
    const v = this.data;
    if (!v || v.conditionLabels.length < 2) return [];
    const palette = conditionPalette(this.themeWatcher.current.background);
    return v.conditionLabels.slice(0, 12).map((label, c) => ({ label, colour: palette[c % palette.length] ?? this.themeWatcher.current.foreground }));
  }

  private currentBasis(): Basis {
    return this.basisButtons.readout.getAttribute('aria-pressed') === 'true' ? 'readout' : 'pca';
  }

  private setBasis(basis: Basis): void {
    for (const [b, el] of Object.entries(this.basisButtons)) el.setAttribute('aria-pressed', String(b === basis));
    this.view.setBasis(basis);
  }

  private frame(): void {
    const r = this.view.radius();
    this.link.frame(r > 0 ? r : 1.5);
  }

  private showProblem(message: string): void {
    this.problem.hidden = false;
    setText(this.problem, message);
  }

  private onTheme(t: Theme): void {
    this.view.setTheme(t);
    this.chart.setTheme(t);
  }

  private exportSink(): ExportSink {
    return {
      saveFile: (name, data, what) => this.transport.send({ type: 'saveFile', name, data, what }, [data]),
      copyText: (text, what) => this.transport.send({ type: 'copyText', text, what }),
      stem: () => slug((this.file.split(/[\\/]/).pop() ?? 'recording').replace(/\.[^.]+$/, '')),
      failed: (what, err) => this.showProblem(`Could not export ${what}: ${(err as Error)?.message ?? String(err)}`),
    };
  }
}
