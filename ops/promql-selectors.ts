/** A series selector found in a PromQL expression: its metric name and the label names it matches on. */
export interface PromqlSelector {
  /** Metric name ('' for a bare `{...}` selector). */
  name: string;
  labels: string[];
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/**
 * The series selectors of a PromQL expression (Grafana's `$variables` allowed), by a small
 * tokenizer: enough for the ops files to be checked against the metric catalogue, not a parser.
 */
export function promqlSelectors(expr: string): PromqlSelector[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\$\{?\w+\}?/g, '') // dashboard variables outside strings ($__rate_interval)
    .replace(/\[[^\]]*\]/g, '') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ''); // grouping clauses
  const selectors: PromqlSelector[] = [];
  const token = /(?<![\w:.])([A-Za-z_:][\w:]*)\s*(\{([^}]*)\})?|\{([^}]*)\}/g;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    const [, name, block, nameLabels, bareLabels] = m;
    if (name !== undefined) {
      if (KEYWORDS.has(name.toLowerCase())) continue;
      if (block === undefined && text.slice(token.lastIndex).trimStart().startsWith('(')) continue; // a function
      selectors.push({ name, labels: labelNames(nameLabels ?? '') });
    } else {
      selectors.push({ name: '', labels: labelNames(bareLabels ?? '') });
    }
  }
  return selectors;
}

function labelNames(block: string): string[] {
  return block
    .split(',')
    .map((matcher) => /^\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)/.exec(matcher)?.[1])
    .filter((label): label is string => label !== undefined);
}

/** `label_values(<selector>, <label>)` of a Grafana Prometheus variable, or undefined for other queries. */
export function labelValuesQuery(query: string): { selector: PromqlSelector; label: string } | undefined {
  const m = /^\s*label_values\(\s*(.+?)\s*,\s*([A-Za-z_]\w*)\s*\)\s*$/.exec(query);
  if (!m) return undefined;
  const [selector] = promqlSelectors(m[1]);
  return selector ? { selector, label: m[2] } : undefined;
}
