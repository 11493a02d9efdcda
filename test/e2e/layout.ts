// Layout checks for the browser tests (issue 27): elements of a view must not overlap each other and
// nothing may stick out of the window, judged on bounding boxes, not only on scroll bars.
import type { Page } from 'playwright-core';

export interface LayoutReport {
  /** "table#bt-benchmarks overlaps table#bt-costs by 120×80 px" */
  overlaps: string[];
  /** Elements whose box reaches past the right edge of the window, or a content area that scrolls sideways. */
  overflows: string[];
}

/**
 * Boxes of the view's blocks (headings, paragraphs, tables, controls, charts, editors, lists) in
 * `main.content`, compared pairwise: two that are not nested must not share more than a sliver
 * (2 px either way). A fixed overlay (the operation drawer at 1024 px) is its own layer. Insides of
 * charts, the editor and SVGs are drawn by their libraries and are left out.
 */
export async function layoutReport(page: Page): Promise<LayoutReport> {
  return page.evaluate(() => {
    const SELECTOR = 'h1,h2,h3,h4,p,table,button,input,select,textarea,label,.chart,.cm-editor,.badge,.progress,.empty-state,.banner,ul,dl,svg,.chart-placeholder,.tag';
    const SKIP_INSIDE = '.chart,.cm-editor,svg,.u-legend,.chart-placeholder';
    const root = document.querySelector('main.content') ?? document.body;
    const vw = document.documentElement.clientWidth;
    const name = (el: Element) => {
      const id = el.getAttribute('data-testid') ?? el.id;
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).slice(0, 2).join('.')}` : '';
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 30);
      return `${el.tagName.toLowerCase()}${id ? `[${id}]` : cls}${text ? ` "${text}"` : ''}`;
    };
    const layerOf = (el: Element): Element | null => {
      for (let e: Element | null = el; e && e !== root; e = e.parentElement) {
        const pos = getComputedStyle(e).position;
        if (pos === 'fixed' || pos === 'sticky') return e;
      }
      return null;
    };
    /** The part of an element's box its scrolling or clipping ancestors (up to the view) let show. */
    const onScreen = (el: Element): DOMRect => {
      const r = el.getBoundingClientRect();
      let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
      for (let e = el.parentElement; e && e !== root; e = e.parentElement) {
        const st = getComputedStyle(e);
        if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
        const c = e.getBoundingClientRect();
        if (st.overflowX !== 'visible') [left, right] = [Math.max(left, c.left), Math.min(right, c.right)];
        if (st.overflowY !== 'visible') [top, bottom] = [Math.max(top, c.top), Math.min(bottom, c.bottom)];
      }
      return new DOMRect(left, top, Math.max(0, right - left), Math.max(0, bottom - top));
    };
    const visible = (el: Element, r: DOMRect) => {
      // Empty, or clipped away by a scrolling ancestor (a long trade list's rows below its box).
      if (r.width < 1 || r.height < 1) return false;
      const st = getComputedStyle(el);
      if (st.visibility === 'hidden' || st.display === 'none' || Number(st.opacity) === 0) return false;
      if (el.closest('.sr-only')) return false;
      return true;
    };
    const items: { el: Element; r: DOMRect; layer: Element | null }[] = [];
    for (const el of Array.from(root.querySelectorAll(SELECTOR))) {
      if (el.parentElement?.closest(SKIP_INSIDE)) continue;
      const r = onScreen(el);
      if (!visible(el, r)) continue;
      items.push({ el, r, layer: layerOf(el) });
    }
    const overlaps: string[] = [];
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const a = items[i];
        const b = items[j];
        if (a.layer !== b.layer) continue;
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (w > 2 && h > 2) overlaps.push(`${name(a.el)} overlaps ${name(b.el)} by ${Math.round(w)}×${Math.round(h)} px`);
      }
    }
    const overflows: string[] = [];
    for (const { el, r } of items) {
      // Inside a container that scrolls sideways on purpose (a wide trade list), the box may be wider.
      let scroller: Element | null = el.parentElement;
      while (scroller && scroller !== root && !['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
      const limit = scroller && scroller !== root ? Math.min(vw, scroller.getBoundingClientRect().right) : vw;
      if (r.right > limit + 1 && !(scroller && scroller !== root)) overflows.push(`${name(el)} reaches ${Math.round(r.right)} px, past the window's ${vw} px`);
    }
    // A table in a sideways scroller hides its last columns (the "Open" button of a 1,490 px operations
    // table): every such container must fit, unless it says it scrolls on purpose (data-scroll-x).
    for (const el of Array.from(root.querySelectorAll('*'))) {
      const st = getComputedStyle(el);
      if (!['auto', 'scroll'].includes(st.overflowX) || el.closest('.chart,.cm-editor') || el.hasAttribute('data-scroll-x')) continue;
      if (el.scrollWidth > el.clientWidth + 1 && el.getBoundingClientRect().width > 0) overflows.push(`${name(el)} scrolls sideways: ${el.scrollWidth} px of content in ${el.clientWidth} px`);
    }
    const content = document.querySelector('main.content');
    if (content && content.scrollWidth > content.clientWidth + 1) overflows.push(`the view scrolls sideways: ${content.scrollWidth} px of content in ${content.clientWidth} px`);
    return { overlaps, overflows };
  });
}
