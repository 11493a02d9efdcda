import { forwardRef, useImperativeHandle, useRef } from 'react';
import { lineCount, offsetOf } from '../lib/text-position';

export interface YamlEditorHandle {
  /** Moves the caret to line:column (1-based) and scrolls it into view. */
  goTo(line: number, column: number): void;
}

const LINE_PX = 18;

/** A textarea with a line-number gutter that scrolls with it; lines with errors are marked. */
export const YamlEditor = forwardRef<YamlEditorHandle, { value: string; onChange(v: string): void; errorLines?: Set<number>; onSubmit?(): void }>(function YamlEditor({ value, onChange, errorLines, onSubmit }, ref) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLPreElement>(null);
  useImperativeHandle(ref, () => ({
    goTo(line, column) {
      const el = area.current;
      if (!el) return;
      const pos = offsetOf(el.value, line, column);
      el.focus();
      el.setSelectionRange(pos, pos);
      el.scrollTop = Math.max(0, (line - 5) * LINE_PX);
    },
  }));
  const n = lineCount(value);
  const numbers = [];
  for (let i = 1; i <= n; i++)
    numbers.push(
      <div key={i} className={errorLines?.has(i) ? 'bad' : undefined}>
        {i}
      </div>,
    );
  return (
    <div className="editor">
      <pre className="gutter" ref={gutter} aria-hidden>
        {numbers}
      </pre>
      <textarea
        ref={area}
        value={value}
        spellCheck={false}
        aria-label="Strategy YAML"
        data-testid="yaml-editor"
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
        aria-keyshortcuts={onSubmit ? 'Control+Enter' : undefined}
        onKeyDown={(e) => {
          // Ctrl/Cmd+Enter submits (validates): plain Enter is a newline in YAML.
          if (onSubmit && e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            onSubmit();
            return;
          }
          // Tab inserts two spaces (YAML indentation) instead of leaving the editor.
          if (e.key === 'Tab' && !e.shiftKey) {
            e.preventDefault();
            const el = e.currentTarget;
            const { selectionStart: s, selectionEnd: t } = el;
            onChange(el.value.slice(0, s) + '  ' + el.value.slice(t));
            requestAnimationFrame(() => el.setSelectionRange(s + 2, s + 2));
          }
        }}
      />
    </div>
  );
});
