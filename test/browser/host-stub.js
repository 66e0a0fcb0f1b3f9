// The test page's stand-in for VS Code: acquireVsCodeApi that records what the panel
// posts, a way for the test to send ToPanel messages (as VS Code does: a window
// 'message' event), the theme variables VS Code would set, and a CSP violation log.
// Loaded with the page's nonce before dist/webview/panel.js.
(() => {
  const posted = [];
  const states = [];
  const violations = [];
  let acquired = 0;

  document.addEventListener('securitypolicyviolation', (e) => {
    violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
  });

  window.acquireVsCodeApi = () => {
    if (acquired++) throw new Error('acquireVsCodeApi may only be called once');
    return {
      postMessage(msg, transfer) {
        posted.push({ msg, at: performance.now(), transferred: (transfer || []).length });
      },
      // ?state=<json>: what a page before a window reload saved (VS Code hands it to the new page)
      getState: () => states.at(-1) ?? JSON.parse(new URLSearchParams(location.search).get('state') || 'null') ?? undefined,
      // what VS Code would keep for a window reload
      setState: (state) => void states.push(JSON.parse(JSON.stringify(state))),
    };
  };

  const THEMES = {
    dark: {
      class: 'vscode-dark',
      vars: {
        'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', foreground: '#cccccc', descriptionForeground: '#9d9d9d',
        'panel-border': '#333333', 'widget-border': '#313131', focusBorder: '#0078d4',
        'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1', 'button-border': '#ffffff12',
        'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c',
        'badge-background': '#616161', 'badge-foreground': '#f8f8f8', 'progressBar-background': '#0078d4',
        'inputValidation-warningBackground': '#352a05', 'inputValidation-warningBorder': '#b89500',
        'inputValidation-errorBackground': '#5a1d1d', 'inputValidation-errorBorder': '#be1100', errorForeground: '#f85149',
        'textLink-foreground': '#4daafc', 'list-hoverBackground': '#2a2d2e',
        'dropdown-background': '#313131', 'dropdown-foreground': '#cccccc', 'dropdown-border': '#3c3c3c',
        'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7', 'charts-red': '#f14c4c', 'charts-yellow': '#cca700',
      },
    },
    light: {
      class: 'vscode-light',
      vars: {
        'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', foreground: '#3b3b3b', descriptionForeground: '#717171',
        'panel-border': '#e5e5e5', 'widget-border': '#e5e5e5', focusBorder: '#005fb8',
        'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8', 'button-border': '#0000001a',
        'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc',
        'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b', 'progressBar-background': '#005fb8',
        'inputValidation-warningBackground': '#fff4ce', 'inputValidation-warningBorder': '#bf8803',
        'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100', errorForeground: '#f85149',
        'textLink-foreground': '#005fb8', 'list-hoverBackground': '#f2f2f2',
        'dropdown-background': '#ffffff', 'dropdown-foreground': '#3b3b3b', 'dropdown-border': '#cecece',
        'charts-blue': '#1a85ff', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90', 'charts-red': '#e51400', 'charts-yellow': '#bf8803',
      },
    },
    'high-contrast': {
      class: 'vscode-high-contrast',
      vars: {
        'editor-background': '#000000', 'editor-foreground': '#ffffff', foreground: '#ffffff', descriptionForeground: '#ffffff',
        'panel-border': '#6fc3df', 'widget-border': '#6fc3df', contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518', focusBorder: '#f38518',
        'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
        'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff',
        'badge-background': '#000000', 'badge-foreground': '#ffffff', 'progressBar-background': '#6fc3df',
        'inputValidation-warningBackground': '#000000', 'inputValidation-warningBorder': '#ff8c00',
        'inputValidation-errorBackground': '#000000', 'inputValidation-errorBorder': '#f48771', errorForeground: '#f48771',
        'textLink-foreground': '#21a6ff', 'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df',
        'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7', 'charts-red': '#f14c4c', 'charts-yellow': '#cca700',
      },
    },
  };
  const COMMON = {
    'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
    'font-size': '13px',
    'font-weight': 'normal',
    'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  };

  // Like VS Code: variables on <html> (CSSOM, which the CSP allows), the kind as a <body> class.
  function setTheme(name) {
    const t = THEMES[name];
    if (!t) throw new Error(`no theme ${name}`);
    const style = document.documentElement.style;
    for (let i = style.length - 1; i >= 0; i--) if (style[i].startsWith('--vscode-')) style.removeProperty(style[i]);
    for (const [k, v] of Object.entries({ ...COMMON, ...t.vars })) style.setProperty(`--vscode-${k}`, v);
    const apply = () => {
      document.body.classList.remove('vscode-dark', 'vscode-light', 'vscode-high-contrast', 'vscode-high-contrast-light');
      document.body.classList.add(t.class);
      document.body.setAttribute('data-vscode-theme-kind', t.class);
    };
    if (document.body) apply();
    else document.addEventListener('DOMContentLoaded', apply, { once: true });
  }
  setTheme(new URLSearchParams(location.search).get('theme') || 'dark');

  const b64ToBytes = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const bytesToB64 = (u8) => {
    let s = '';
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
    return btoa(s);
  };
  // Typed arrays and ArrayBuffers cross page.evaluate as base64 tagged objects.
  const revive = (v) => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') {
      if (typeof v.$ab === 'string') return b64ToBytes(v.$ab).buffer;
      if (typeof v.$f32 === 'string') return new Float32Array(b64ToBytes(v.$f32).buffer);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
    }
    return v;
  };
  const encode = (v) => {
    if (v instanceof ArrayBuffer) return { $ab: bytesToB64(new Uint8Array(v)), byteLength: v.byteLength };
    if (ArrayBuffer.isView(v)) return { $f32: bytesToB64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
    if (Array.isArray(v)) return v.map(encode);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
    return v;
  };

  window.__host = {
    violations,
    setTheme,
    /** deliver a ToPanel message the way VS Code does */
    send(encoded) {
      window.dispatchEvent(new MessageEvent('message', { data: revive(encoded) }));
    },
    /** what the panel posted, JSON-safe (buffers as base64) */
    posted(type) {
      return posted.filter((p) => !type || p.msg.type === type).map((p) => ({ ...encode(p.msg), $at: p.at, $transferred: p.transferred }));
    },
    count(type) {
      return posted.filter((p) => p.msg.type === type).length;
    },
    /** every state the page saved with setState, oldest first */
    states() {
      return states;
    },
  };
})();
