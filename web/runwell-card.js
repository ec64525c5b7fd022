// <runwell-card model="…" hardware="…" quant="…" theme="light|dark|auto" accent="#0f766e">
// One classic script tag on any page (no CORS needed, unlike a module):
//   <script src="https://YOUR-RUNWELL-HOST/runwell-card.js" defer></script>
// The card renders in an iframe from runwell's own origin inside a shadow root, so it
// neither leaks styles into the host page nor takes them from it, and needs no permissions.
(() => {
const ATTRIBUTES = ['model', 'hardware', 'quant', 'context', 'gpus', 'host_ram_gib', 'kv', 'mode', 'workload', 'theme', 'accent'];
const CARD_URL = new URL('./card.html', document.currentScript?.src ?? location.href);

class RunwellCard extends HTMLElement {
  static get observedAttributes() { return ATTRIBUTES; }

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = ':host{display:inline-block;width:400px;max-width:100%;height:180px}iframe{border:0;width:100%;height:100%;border-radius:12px;color-scheme:normal}';
    this.frame = document.createElement('iframe');
    this.frame.title = 'runwell fit card';
    this.frame.loading = 'lazy';
    this.frame.referrerPolicy = 'no-referrer';
    // Scripts run inside the card's own origin; no top navigation, no forms, no device permissions.
    this.frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox');
    root.append(style, this.frame);
  }

  connectedCallback() { this.update(); }
  attributeChangedCallback() { if (this.isConnected) this.update(); }

  update() {
    const url = new URL(CARD_URL);
    // Attribute values are only ever URL-encoded query values: no markup reaches either page.
    for (const name of ATTRIBUTES) {
      const value = this.getAttribute(name);
      if (value !== null && value !== '') url.searchParams.set(name, value.slice(0, 120));
    }
    if (this.frame.src !== url.href) this.frame.src = url.href;
    // A title that says which card this is (a text property: no markup).
    const named = (name) => (this.getAttribute(name) ?? '').slice(0, 60);
    this.frame.title = `runwell fit card: ${named('model')} on ${named('hardware')}`;
  }
}

if (!customElements.get('runwell-card')) customElements.define('runwell-card', RunwellCard);
})();
