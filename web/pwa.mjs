// Registers the service worker and offers a new deploy to the user instead of
// mixing versions: the new worker waits until the user clicks "Update".
import { h } from './ui.mjs';

export function registerServiceWorker(bannerParent = document.body) {
  if (!('serviceWorker' in navigator)) return;
  let updating = false;  // reload only for an update the user asked for, not the first install's claim
  const offer = (worker) => {
    if (document.getElementById('update-banner')) return;
    const button = h('button', { type: 'button', class: 'primary' }, 'Update');
    button.addEventListener('click', () => { updating = true; worker.postMessage('skip-waiting'); });
    bannerParent.prepend(h('div', { id: 'update-banner', class: 'update', role: 'status' }, 'A new version of runwell is ready. ', button));
  };
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (!updating) return;
    updating = false;
    location.reload();
  });
  navigator.serviceWorker.register('./sw.js').then((reg) => {
    if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
    reg.addEventListener('updatefound', () => {
      const worker = reg.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
      });
    });
    // Look for a new deploy whenever the page comes back into view.
    document.addEventListener('visibilitychange', () => { if (!document.hidden) reg.update().catch(() => {}); });
  }).catch(() => { /* offline support is optional; the calculator works without it */ });
}
