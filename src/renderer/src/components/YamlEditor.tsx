// The strategy editor: CodeMirror 6 with YAML highlighting, line numbers, search, undo, and lint
// markers placed at the validator's line:column. Controlled: `value` in, `onChange` out.
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, foldGutter, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { yamlHighlight } from './yaml-highlight';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { EditorState } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import type { ValidationIssue } from '../lib/shapes';
import { offsetOf } from '../lib/text-position';

export interface YamlEditorHandle {
  /** Moves the caret to line:column (1-based) and scrolls it into view. */
  goTo(line: number, column: number): void;
}

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '12px', backgroundColor: 'var(--bg)', color: 'var(--text)' },
  '.cm-scroller': { fontFamily: "ui-monospace, 'SF Mono', Menlo, monospace", lineHeight: '18px' },
  '.cm-gutters': { backgroundColor: 'var(--panel)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 8%, transparent)' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: 'color-mix(in srgb, var(--accent) 30%, transparent) !important' },
  // Tooltips (lint messages) and panels (search) in the theme's colours: CodeMirror's defaults are
  // light grey, which in the dark theme put near-white text on near-white (issue 27).
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--text)', border: '1px solid var(--border)', borderRadius: '4px' },
  '.cm-tooltip-lint .cm-diagnostic': { color: 'var(--text)' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--bad)' },
  '.cm-diagnostic-warning': { borderLeftColor: 'var(--warn)' },
  '.cm-diagnostic-info': { borderLeftColor: 'var(--muted)' },
  '.cm-panels': { backgroundColor: 'var(--panel)', color: 'var(--text)', borderColor: 'var(--border)' },
  '.cm-panels input, .cm-panels button': { color: 'var(--text)', backgroundColor: 'var(--bg)' },
  '.cm-lintPoint-error:after': { borderBottomColor: 'var(--bad)' },
});

/** Validation issues → CodeMirror diagnostics at their line:column (whole line when no column). */
export function toDiagnostics(doc: string, issues: ValidationIssue[]): Diagnostic[] {
  return issues
    .filter((i) => i.line !== null)
    .map((i) => {
      const from = Math.min(doc.length, offsetOf(doc, i.line!, i.column ?? 1));
      const lineEnd = doc.indexOf('\n', from);
      const to = i.column === null ? (lineEnd < 0 ? doc.length : lineEnd) : Math.min(doc.length, Math.max(from + 1, lineEnd < 0 ? doc.length : lineEnd));
      return { from, to, severity: i.severity === 'info' ? 'info' : i.severity, message: `${i.line}:${i.column ?? 1} ${i.message}` };
    });
}

export const YamlEditor = forwardRef<YamlEditorHandle, { value: string; onChange(v: string): void; issues?: ValidationIssue[]; onSubmit?(): void; readOnlyNote?: string | null }>(function YamlEditor({ value, onChange, issues, onSubmit }, ref) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const handlers = useRef({ onChange, onSubmit });
  handlers.current = { onChange, onSubmit };

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          lintGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          syntaxHighlighting(yamlHighlight),
          yaml(),
          EditorState.tabSize.of(2),
          keymap.of([
            { key: 'Mod-Enter', run: () => (handlers.current.onSubmit?.(), true) },
            indentWithTab,
            ...defaultKeymap,
            ...historyKeymap,
            ...searchKeymap,
          ]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) handlers.current.onChange(u.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ 'aria-label': 'Strategy YAML' }),
          theme,
        ],
      }),
    });
    view.current = v;
    // Browser tests read and set the text through the view (a contenteditable cannot be `fill`ed).
    (host.current as HTMLDivElement & { cmView?: EditorView }).cmView = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; `value` changes are pushed in by the effect below.
  }, []);

  // A new text from outside (another strategy loaded, a save): replace the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (v) v.dispatch(setDiagnostics(v.state, toDiagnostics(v.state.doc.toString(), issues ?? [])));
  }, [issues, value]);

  useImperativeHandle(ref, () => ({
    goTo(line, column) {
      const v = view.current;
      if (!v) return;
      const pos = Math.min(v.state.doc.length, offsetOf(v.state.doc.toString(), line, column));
      v.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      v.focus();
    },
  }));

  return <div className="editor cm-host" ref={host} data-testid="yaml-editor" data-length={value.length} />;
});
