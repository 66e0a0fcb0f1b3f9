// The seeds layout (webview/panel/views/seed-grid.ts): a variant's seeds as small multiples,
// reached by keyboard from its view and left again; their cameras linked; "Aligned to first
// seed" turning rotated, mirrored copies onto the first seed's picture; live seeds filling in
// as they train; and every GPU object freed when the layout goes.
import assert from 'node:assert/strict';
import path from 'node:path';
import { frames, openPanel, runsOf, shot, waitFor } from './harness.mjs';
import { countChromatic, decodePng } from './png.mjs';
import { TINY, constructedView, finishedRuns, init, train } from './fixtures.mjs';

const LOSSES = Float32Array.from({ length: 20 }, (_, i) => 0.5 * Math.exp(-i / 6) + 0.01);
const METRICS = { rho: 0.81, rho_sqrtN: 3.24, w_out_norm: 0.25, x_norm: 3.1, dx90: 3, dfit90: 2, noise_ratio: 0.42, eval_loss: 0.012, train_loss: 0.014, stopped: false, learned: true, learned_threshold: 0.05 };
const NOT_LEARNED = { ...METRICS, rho: 0.5, learned: false, eval_loss: 0.31 };

/** Turns about z by `deg`, then mirrors y when `mirror`: a proper rotation or a reflection. */
function turn(deg, mirror) {
  const a = (deg * Math.PI) / 180;
  const m = mirror ? -1 : 1;
  return [Math.cos(a), -Math.sin(a), 0, m * Math.sin(a), m * Math.cos(a), 0, 0, 0, 1];
}
const apply = (r, v) => [0, 1, 2].map((i) => r[3 * i] * v[0] + r[3 * i + 1] * v[1] + r[3 * i + 2] * v[2]);

/**
 * The constructed view as another seed would draw it if it found the same solution: its picture
 * turned by r, about another centre, at another scale (each view is drawn centred and divided by
 * its own RMS radius, so only the turn is left to see).
 */
function turnedCopy(view, r, centre, scale) {
  const basis = (pv) => {
    const traj = new Float32Array(pv.trajectories.length);
    for (let o = 0; o < traj.length; o += 3) {
      const p = apply(r, [0, 1, 2].map((j) => (pv.trajectories[o + j] - pv.centre[j]) / pv.scale));
      for (let j = 0; j < 3; j++) traj[o + j] = centre[j] + scale * p[j];
    }
    return {
      ...pv, trajectories: traj, centre, scale,
      readouts: pv.readouts.map((ro) => ({ ...ro, coords: apply(r, ro.coords), arrow: apply(r, ro.arrow.map((x) => (x / pv.scale) * scale)) })),
    };
  };
  return { ...view, projection: { ...view.projection, pca: basis(view.projection.pca), readout: basis(view.projection.readout) } };
}

const maxDiff = (a, b) => {
  assert.equal(a.length, b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
};

/**
 * Pixels where two screenshots differ clearly, over the part both cover (grid cells may differ
 * by a pixel in width).
 */
function differingPixels(a, b) {
  assert.ok(Math.abs(a.width - b.width) <= 2 && Math.abs(a.height - b.height) <= 2, `${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let n = 0;
  for (let y = 0; y < Math.min(a.height, b.height); y++) {
    for (let x = 0; x < Math.min(a.width, b.width); x++) {
      const i = 4 * (y * a.width + x);
      const j = 4 * (y * b.width + x);
      if (Math.abs(a.rgba[i] - b.rgba[j]) + Math.abs(a.rgba[i + 1] - b.rgba[j + 1]) + Math.abs(a.rgba[i + 2] - b.rgba[j + 2]) > 60) n++;
    }
  }
  return n;
}

export function seedsTests({ context, baseUrl, helpers, results }) {
  const runs = runsOf(helpers, `${TINY}seeds: 3\n`);
  const base = constructedView(0.6, 53);
  const copies = [turnedCopy(base, turn(0, false), [0, 0, 0], 1.6), turnedCopy(base, turn(70, true), [3, -1, 2], 0.7), turnedCopy(base, turn(-130, false), [-2, 5, 1], 4)];
  const storedRun = (run, view, metrics = METRICS) => ({ run, metrics, view: helpers.toEnvelope(view), losses: LOSSES, folder: `/ws/.rnnlab/runs/tiny-20260101-000000/${run.name}` });
  /** A panel showing the stored 3-seed session; aligned-s2 has not learned. */
  const storedPanel = async () => {
    const p = await openPanel(context, baseUrl);
    await p.host.send(init(runs, false));
    await p.host.send({ type: 'showRuns', purpose: 'restored', runs: runs.map((r) => storedRun(r, copies[r.training.seed], r.name === 'aligned-s2' ? NOT_LEARNED : METRICS)) });
    await frames(p.page, 3);
    return p;
  };
  const cams = async (p) => Object.fromEntries((await p.host.diagnostics()).cameras.map((c) => [c.variant, c.position]));

  return [
    {
      name: 'seeds layout: Seeds (3) opens three small views with seed, ρ and learned mark, linked cameras; Escape goes back; no GPU object is left',
      fn: async () => {
        const p = await storedPanel();
        const open = p.page.locator('figure.view[data-variant="aligned"] .seeds-open');
        assert.equal(await open.textContent(), 'Seeds (3)');
        // Keyboard: focus the button, Enter opens the layout and focus lands on its way back.
        await open.focus();
        await p.page.keyboard.press('Enter');
        await frames(p.page, 3);
        const small = p.page.locator('.seeds-layout figure.seed-view');
        assert.equal(await small.count(), 3);
        assert.deepEqual(await small.locator('.view-title').allTextContents(), ['seed 0', 'seed 1', 'seed 2']);
        assert.deepEqual(await small.locator('.view-sub').allTextContents(), ['ρ 0.81 · learned', 'ρ 0.81 · learned', 'ρ 0.5 · not learned']);
        assert.match(await small.nth(2).locator('.view-sub').getAttribute('title'), /evaluation loss 0\.310 > 0\.05/);
        assert.equal(await p.page.locator('figure.view:not(.seed-view)').count(), 0, 'the variant views give their GPU contexts back while the seeds are shown');
        assert.equal(await p.page.evaluate(() => document.activeElement?.textContent), '← All variants');
        let d = await p.host.diagnostics();
        assert.deepEqual(d.gpu.map((g) => g.variant), ['aligned-s0', 'aligned-s1', 'aligned-s2']);
        for (const g of d.gpu) assert.ok(g.memory.geometries > 0, `${g.variant} draws nothing: ${JSON.stringify(g.memory)}`);
        for (const r of d.retiredGpu) assert.deepEqual({ geometries: r.memory.geometries, textures: r.memory.textures }, { geometries: 0, textures: 0 }, r.variant);
        assert.deepEqual(d.retiredGpu.map((r) => r.variant).sort(), ['aligned', 'oblique']);
        assert.equal(d.seeds.variant, 'aligned');

        // Each small view saves as PNG like the variant views: twice its size, named after its run.
        const seed1 = p.page.locator('figure.seed-view[data-seed="1"]');
        await seed1.getByRole('button', { name: 'Save as PNG' }).click();
        const [save] = await waitFor("the seed view's PNG", async () => {
          const s = await p.host.posted('saveFile');
          return s.length ? s : null;
        });
        const size = await seed1.locator('canvas.view-canvas').evaluate((c) => [c.clientWidth, c.clientHeight]);
        const png = decodePng(Buffer.from(save.data));
        // The view draws at its whole-pixel size (floor), clientWidth rounds: within one CSS pixel, twice over.
        assert.ok(Math.abs(png.width - 2 * size[0]) <= 2 && Math.abs(png.height - 2 * size[1]) <= 2, `PNG ${png.width}x${png.height}, view ${size}`);
        assert.match(save.name, /aligned-s1-3d\.png$/);
        assert.ok(countChromatic(png) > 400, 'the saved picture shows the trajectories');
        assert.equal(await p.page.locator('figure.seed-view').count(), 3);
        // Orbit one small view: every camera of the layout moves the same way.
        const home = await cams(p);
        await p.page.locator('figure.seed-view[data-seed="1"] canvas').focus();
        for (const key of ['ArrowLeft', 'ArrowLeft', 'ArrowUp', '+']) await p.page.keyboard.press(key);
        const moved = await cams(p);
        assert.ok(maxDiff(moved['aligned-s1'], home['aligned-s1']) > 0.05, 'the focused view did not move');
        for (const name of ['aligned-s0', 'aligned-s2']) assert.ok(maxDiff(moved[name], moved['aligned-s1']) < 1e-9, `${name} at ${moved[name]}, aligned-s1 at ${moved['aligned-s1']}`);
        // A mouse drag on another view moves them all too.
        const box = await p.page.locator('figure.seed-view[data-seed="2"] canvas').boundingBox();
        await p.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await p.page.mouse.down();
        await p.page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 10, { steps: 4 });
        await p.page.mouse.up();
        const dragged = await cams(p);
        assert.ok(maxDiff(dragged['aligned-s2'], moved['aligned-s2']) > 0.05, 'the drag did not orbit');
        for (const name of ['aligned-s0', 'aligned-s1']) assert.ok(maxDiff(dragged[name], dragged['aligned-s2']) < 1e-9, name);
        // Render on demand: with nothing changing, no frame is drawn.
        await frames(p.page, 3);
        const before = (await p.host.diagnostics()).frames.frames;
        await frames(p.page, 5);
        assert.equal((await p.host.diagnostics()).frames.frames, before, 'frames drawn while nothing changed');
        await p.page.screenshot({ path: path.join(results, 'panel-seeds.png'), fullPage: true });

        // Escape (anywhere in the layout) goes back; the seeds' views free everything.
        await p.page.keyboard.press('Escape');
        await frames(p.page, 2);
        assert.equal(await p.page.locator('.seeds-layout').count(), 0);
        assert.equal(await p.page.locator('figure.view:not(.seed-view)').count(), 2);
        assert.equal(await p.page.evaluate(() => document.activeElement?.textContent), 'Seeds (3)');
        d = await p.host.diagnostics();
        assert.equal(d.seeds, undefined);
        assert.deepEqual(d.gpu.map((g) => g.variant), ['aligned', 'oblique']);
        const seedsRetired = d.retiredGpu.filter((r) => /-s\d$/.test(r.variant));
        assert.deepEqual(seedsRetired.map((r) => r.variant).sort(), ['aligned-s0', 'aligned-s1', 'aligned-s2']);
        for (const r of seedsRetired) assert.deepEqual({ geometries: r.memory.geometries, textures: r.memory.textures }, { geometries: 0, textures: 0 }, r.variant);
        // A variant with one run (a comparison, or seeds: 1) offers no seeds layout.
        await p.host.send({ type: 'showRuns', purpose: 'compare', runs: runs.slice(0, 2).map((r) => storedRun(r, base)) });
        await frames(p.page, 2);
        assert.equal(await p.page.locator('.seeds-open:visible').count(), 0);
        await p.page.close();
      },
    },
    {
      name: 'seeds layout: "Aligned to first seed" draws rotated and mirrored copies of one solution as identical pictures, arrows included',
      fn: async () => {
        const p = await storedPanel();
        await p.page.locator('figure.view[data-variant="oblique"] .seeds-open').click();
        // Whole-pixel columns: a canvas at a fractional x is composited with another sampling, and its screenshot differs by that alone.
        await p.page.evaluate(() => {
          const grid = document.querySelector('.seed-grid');
          grid.style.gridTemplateColumns = 'repeat(3, 200px)';
          grid.scrollIntoView();
        });
        await frames(p.page, 3);
        const drawn = async () => Object.fromEntries((await p.host.diagnostics()).seeds.views.map((v) => [v.run, v.drawn]));
        const canvas = (seed) => p.page.locator(`figure.seed-view[data-seed="${seed}"] canvas`);
        // Own basis: the copies are turned, so their pictures differ from the first seed's.
        let own = await drawn();
        assert.ok(maxDiff(own['oblique-s1'].points, own['oblique-s0'].points) > 0.5, 'the fixture should differ before aligning');
        const ownShots = [await shot(p.page, canvas(0)), await shot(p.page, canvas(1))];
        const ownPx = differingPixels(ownShots[0], ownShots[1]);
        assert.ok(ownPx > 500, `the own-basis pictures should differ (${ownPx} px)`);

        await p.page.getByRole('button', { name: 'Aligned to first seed' }).click();
        await frames(p.page, 3);
        const d = (await p.host.diagnostics()).seeds;
        assert.equal(d.align, 'first');
        assert.equal(d.reference, 'oblique-s0');
        const aligned = await drawn();
        for (const name of ['oblique-s1', 'oblique-s2']) {
          assert.ok(maxDiff(aligned[name].points, aligned['oblique-s0'].points) < 1e-4, `${name}: points differ by ${maxDiff(aligned[name].points, aligned['oblique-s0'].points)}`);
          assert.ok(maxDiff(aligned[name].arrows[0], aligned['oblique-s0'].arrows[0]) < 1e-5, `${name}: arrows ${aligned[name].arrows[0]} vs ${aligned['oblique-s0'].arrows[0]}`);
          const fit = d.views.find((v) => v.run === name).fitDeg;
          assert.ok(fit < 0.5, `${name}: the copies align exactly, fit ${fit}°`);
        }
        const alignedShots = [await shot(p.page, canvas(0)), await shot(p.page, canvas(1))];
        const px = differingPixels(alignedShots[0], alignedShots[1]);
        console.log(`    pixels differing from seed 0: own basis ${ownPx}, aligned ${px}`);
        assert.ok(px <= 10, `aligned pictures differ in ${px} pixels (own basis: ${ownPx})`);
        const subs = await p.page.locator('figure.seed-view .view-sub').allTextContents();
        assert.match(subs[0], /reference/);
        assert.match(subs[1], /fit 0°/);
        assert.ok((await p.page.locator('figure.seed-view[data-seed="1"] .axis-label').allTextContents()).includes('s0 PC1'));
        // The readout basis is turned the same way.
        await p.page.locator('.seg', { hasText: 'Readout + PCs' }).click();
        await frames(p.page, 2);
        const readout = await drawn();
        assert.ok(maxDiff(readout['oblique-s2'].points, readout['oblique-s0'].points) < 1e-4);
        // Back to each seed's own basis.
        await p.page.getByRole('button', { name: 'Own basis' }).click();
        own = await drawn();
        assert.ok(maxDiff(own['oblique-s2'].points, own['oblique-s0'].points) > 0.5);
        await p.page.close();
      },
    },
    {
      name: 'seeds layout while training: each seed says it waits, then fills in when its evaluations arrive',
      timeoutMs: 120_000,
      fn: async () => {
        const p = await openPanel(context, baseUrl);
        const two = runsOf(helpers, `${TINY}seeds: 2\n`);
        await p.host.send(init(two, false));
        await frames(p.page, 2);
        await p.page.locator('figure.view[data-variant="oblique"] .seeds-open').click();
        await frames(p.page, 2);
        assert.deepEqual(await p.page.locator('figure.seed-view .view-overlay').allTextContents(), ['Not trained yet: press Train.', 'Not trained yet: press Train.']);
        await p.host.send(train(two));
        // A new session keeps the layout, with the new session's seeds.
        await waitFor('the seeds layout after Train', async () => (await p.page.locator('figure.seed-view').count()) === 2);
        await finishedRuns(p.host, 4, 90_000);
        const views = await waitFor('both seeds drawn', async () => {
          const s = (await p.host.diagnostics()).seeds;
          return s?.views.every((v) => v.drawn?.points.length > 0) ? s.views : null;
        });
        assert.deepEqual(views.map((v) => v.run), ['oblique-s0', 'oblique-s1']);
        assert.deepEqual(await p.page.locator('figure.seed-view .view-overlay:visible').count(), 0);
        const subs = await p.page.locator('figure.seed-view .view-sub').allTextContents();
        for (const s of subs) assert.match(s, /^ρ [\d.−e]+ · (learned|not learned)$/);
        await p.page.close();
      },
    },
  ];
}
