// One result, every reader: the CLI, the app (the Backtests view's and the Experiments view's tables),
// the MCP server (a real MCP round trip over an in-memory transport, the HTTP calls answered by a fake
// fetch) and the HTML report show the same value with the same label, unit and precision for every
// metric the presenter lists. Each kind is made by its producer's own code. To add a kind: add an
// entry to KINDS with how to make one result and how each reader prints it. A portfolio backtest (a
// `backtesting` operation whose result is the contract's portfolio variant) is one of them.
//
// The HTML report covers backtests only: trainings and experiments have none, so they have no report
// test (rather than a skipped one); their readers are the CLI, the app and the MCP server.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { escapeHtml } from '../../../src/common/escape';
import { backtestSummary } from '../../../src/cli/commands/backtest';
import { experimentSummary } from '../../../src/cli/commands/experiment';
import { portfolioSummary } from '../../../src/cli/commands/portfolio';
import { trainingSummary } from '../../../src/cli/commands/train';
import { createKtrdrMcpServer } from '../../../src/cli/mcp/server';
import { renderBacktestReport } from '../../../src/core/report/backtest-report';
import { ResultSections } from '../../../src/renderer/src/components/ResultSections';
import { backtestTradeSchema } from '../../../src/shared/results/backtest';
import { cellText, presentResult, type FlatMetric, type ResultSection } from '../../../src/shared/results/present';
import { operationTypeOf, type TypedResult } from '../../../src/shared/results';
import { producePortfolio, type ProducedPortfolio } from '../../helpers/portfolio-results';
import { fixtures, sweepFrom, walkForwardFrom, type Fixtures } from '../../helpers/experiments';
import { produceBacktest, trainingResultFixture, type ProducedBacktest } from '../../helpers/results';

let shared: Promise<Fixtures> | null = null;
/** The backtests and training the experiments are made of (made once for both kinds). */
const experimentFixtures = () => (shared ??= fixtures());

type Produced = ProducedBacktest | ProducedPortfolio;

interface Kind {
  name: string;
  /** The contract's type and the result, as the worker wrote it. */
  make(): Promise<{ typed: TypedResult; produced?: Produced }>;
  cli(t: TypedResult): string;
  /** The report, where the kind has one. */
  report?(t: TypedResult, p: Produced): string;
}

const KINDS: Kind[] = [
  {
    name: 'backtest',
    make: async () => {
      const p = await produceBacktest();
      return { typed: { type: 'backtesting', result: p.result }, produced: p };
    },
    cli: (t) => (t.type === 'backtesting' ? backtestSummary(t.result) : ''),
    report: (t, p) =>
      t.type === 'backtesting' ? renderBacktestReport({ backtest_id: p.id, generated_at: '2026-01-01T00:00:00Z', results: t.result, trades: p.trades.map((x) => backtestTradeSchema.parse(x)), equity: p.equity, manifest: null }) : '',
  },
  {
    name: 'zero-trade backtest',
    make: async () => {
      const p = await produceBacktest({ trades: false });
      return { typed: { type: 'backtesting', result: p.result }, produced: p };
    },
    cli: (t) => (t.type === 'backtesting' ? backtestSummary(t.result) : ''),
    report: (t, p) => (t.type === 'backtesting' ? renderBacktestReport({ backtest_id: p.id, generated_at: '2026-01-01T00:00:00Z', results: t.result, trades: [], equity: p.equity, manifest: null }) : ''),
  },
  {
    // Kelly sizing, weekly rebalancing, an idle leg: nulls with reasons per leg and in the correlation.
    name: 'portfolio backtest',
    make: async () => {
      const p = await producePortfolio();
      return { typed: { type: 'portfolio', result: p.result }, produced: p };
    },
    cli: (t) => (t.type === 'portfolio' ? portfolioSummary(t.result) : ''),
    report: (t, p) =>
      t.type === 'portfolio' ? renderBacktestReport({ backtest_id: p.id, generated_at: '2026-01-01T00:00:00Z', results: t.result, trades: p.trades.map((x) => backtestTradeSchema.parse(x)), equity: p.equity, manifest: null }) : '',
  },
  {
    name: 'training',
    make: async () => ({ typed: { type: 'training', result: trainingResultFixture() } }),
    cli: (t) => (t.type === 'training' ? trainingSummary(t.result, 20) : ''),
  },
  {
    name: 'walk-forward',
    make: async () => ({ typed: { type: 'walk_forward', result: walkForwardFrom(await experimentFixtures()).result } }),
    cli: (t) => (t.type === 'walk_forward' ? experimentSummary(t) : ''),
  },
  {
    name: 'sweep',
    make: async () => ({ typed: { type: 'sweep', result: sweepFrom(await experimentFixtures()).result } }),
    cli: (t) => (t.type === 'sweep' ? experimentSummary(t) : ''),
  },
];

/** The MCP server's get_results for a result served by a fake REST server. */
async function mcpShown(t: TypedResult): Promise<FlatMetric[]> {
  const id = 'op_fixture';
  vi.stubGlobal('fetch', async (url: string) => {
    const body = url.endsWith(`/operations/${id}/results?form=contract`) ? { success: true, operation_id: id, operation_type: operationTypeOf(t.type), status: 'completed', results: t.result } : { detail: `unexpected ${url}` };
    return new Response(JSON.stringify(body), { status: url.includes('/results') ? 200 : 404, headers: { 'content-type': 'application/json' } });
  });
  const mcp = createKtrdrMcpServer({ url: 'http://127.0.0.1:1', home: '/tmp', maxConcurrent: 1, maxTrainingMinutes: 1, enforceEveryMs: 60_000 });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await mcp.server.connect(a);
  const client = new Client({ name: 'cross-reader', version: '1' });
  await client.connect(b);
  try {
    const r = (await client.callTool({ name: 'get_results', arguments: { operation_id: id } })) as { content: { text: string }[]; isError?: boolean };
    expect(r.isError, r.content[0].text).toBeFalsy();
    return (JSON.parse(r.content[0].text) as { shown: FlatMetric[] }).shown;
  } finally {
    await client.close();
    mcp.dispose();
  }
}

afterEach(() => vi.unstubAllGlobals());

describe.each(KINDS)('every reader shows the same $name', (kind) => {
  let typed: TypedResult;
  let produced: Produced | undefined;
  let sections: ResultSection[];
  beforeAll(async () => {
    ({ typed, produced } = await kind.make());
    sections = presentResult(typed);
  });

  it('has metrics to compare, each labelled by the catalogue', () => {
    const cells = sections.flatMap((s) => s.rows.flatMap((r) => r.cells));
    expect(cells.length).toBeGreaterThan(20);
    expect(cells.every((c) => c.text !== '' && !/NaN|undefined|999999/.test(c.text))).toBe(true);
  });

  it('CLI: every label with its value’s text (and the reason of a null)', () => {
    const text = kind.cli(typed);
    const lines = text.split('\n');
    for (const s of sections) {
      if (s.layout === 'items') {
        // One line per item (fold, trial): its name, then each metric's text in the order of the header's labels.
        const header = lines.find((l) => l.startsWith((s.itemHeading ?? 'Item').toUpperCase()) && s.rows.every((r) => l.includes(r.label)));
        expect(header, `${s.id} header`).toBeTruthy();
        expect(s.rows.map((r) => header!.indexOf(r.label))).toEqual(s.rows.map((r) => header!.indexOf(r.label)).sort((a, b) => a - b));
        s.columns.forEach((item, i) => {
          const line = lines.find((l) => l.startsWith(`${item} `));
          expect(line, `${s.id}: ${item}`).toBeTruthy();
          expect(line!, `${s.id}: ${item}`).toMatch(new RegExp(s.rows.map((r) => esc(cellText(r.cells[i]))).join('\\s+.*')));
        });
      } else for (const r of s.rows) for (const c of r.cells) expect(text, `${s.id}.${r.key}`).toMatch(new RegExp(`${esc(r.label)}\\s.*${esc(cellText(c))}`));
    }
  });

  it('UI: the result tables show every label, value text and reason', () => {
    const html = renderToStaticMarkup(createElement(ResultSections, { sections }));
    for (const s of sections)
      for (const r of s.rows) {
        expect(html).toContain(`>${escapeHtml(r.label)}</button>`);
        for (const c of r.cells) {
          expect(html, `${s.id}.${r.key}`).toContain(`data-path="${c.path}">${escapeHtml(c.text)}`);
          if (c.reason) expect(html).toContain(escapeHtml(c.reason));
        }
      }
  });

  it('MCP: get_results gives every value with the same label, unit, text and reason', async () => {
    const shown = await mcpShown(typed);
    const expected = sections.flatMap((s) => s.rows.flatMap((r) => r.cells.map((c, i) => ({ section: s.title, column: s.columns[i] ?? null, key: r.key, label: r.label, unit: r.unit, text: c.text, reason: c.reason }))));
    expect(shown.map(({ value: _v, ...rest }) => rest)).toEqual(expected);
  });

  // Kinds without an HTML report (training) have no report test at all, rather than a skipped one.
  const report = kind.report;
  if (report)
    it('report: every label and value text, in the same units', () => {
      const html = report(typed, produced!);
      for (const s of sections)
        for (const r of s.rows) {
          expect(html).toContain(`<th scope="row">${escapeHtml(r.label)}</th>`);
          for (const c of r.cells) expect(html, `${s.id}.${r.key}`).toContain(`<td class="num">${escapeHtml(c.text)}`);
        }
    });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
