// Side-by-side diff of the saved strategy file (left) and the editor's text (right), read-only.
import { yaml } from '@codemirror/lang-yaml';
import { syntaxHighlighting } from '@codemirror/language';
import { yamlHighlight } from './yaml-highlight';
import { MergeView } from '@codemirror/merge';
import { EditorState } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'react';

export function YamlDiff({ saved, current }: { saved: string; current: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const ext = [lineNumbers(), yaml(), syntaxHighlighting(yamlHighlight), EditorState.readOnly.of(true), EditorView.editable.of(false)];
    const mv = new MergeView({ a: { doc: saved, extensions: ext }, b: { doc: current, extensions: ext }, parent: host.current!, collapseUnchanged: { margin: 3, minSize: 6 } });
    return () => mv.destroy();
  }, [saved, current]);
  return (
    <div className="yaml-diff" data-testid="yaml-diff">
      <div className="diff-heads muted small">
        <span>Saved file</span>
        <span>Editor</span>
      </div>
      <div ref={host} />
    </div>
  );
}
