// Operations an agent started through `ktrdr mcp` are marked in the Operations list and detail
// (OperationRow and OperationDetail render StartedByTag with the operation's metadata).
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { StartedByTag } from '../../../src/renderer/src/components/StartedByTag';

const html = (metadata: Record<string, unknown> | null, testId?: string) => renderToStaticMarkup(createElement(StartedByTag, { metadata, testId }));

describe('StartedByTag', () => {
  it('marks operations started over MCP and only those', () => {
    expect(html({ started_by: 'mcp' })).toContain('data-testid="op-started-by"');
    expect(html({ started_by: 'mcp' })).toContain('agent · mcp');
    expect(html({ started_by: 'mcp' }, 'detail-started-by')).toContain('data-testid="detail-started-by"');
    expect(html({ started_by: 'cli' })).toBe('');
    expect(html({})).toBe('');
    expect(html(null)).toBe('');
  });
});
