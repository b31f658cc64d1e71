import { deadLetterSelectionOf, deadRowSelectionOf, parseLimit, parseTime, parseTopologyFormat } from './cli-arguments';
import { CliUsageError } from './cli-usage.error';

describe('CLI argument validation', () => {
  it('topology formats', () => {
    expect(parseTopologyFormat(undefined, undefined)).toBe('table');
    expect(parseTopologyFormat('mermaid', undefined)).toBe('mermaid');
    expect(parseTopologyFormat(undefined, true)).toBe('json');
    expect(() => parseTopologyFormat('svg', undefined)).toThrow(/use --format table\|mermaid\|dot\|json/);
    expect(() => parseTopologyFormat('dot', true)).toThrow(CliUsageError);
  });

  it('limits and times', () => {
    expect(parseLimit('50')).toBe(50);
    expect(() => parseLimit('0')).toThrow(/--limit 50/);
    expect(() => parseLimit('ten')).toThrow(CliUsageError);
    expect(parseTime('2026-01-31', '--since')).toEqual(new Date('2026-01-31'));
    expect(() => parseTime('yesterday', '--since')).toThrow(/--since 2026-01-31/);
  });

  it('dead rows: exactly one of --id, --all, or a filter', () => {
    expect(deadRowSelectionOf({ id: ['3', '4'] }, 'requeue')).toEqual({ ids: [3, 4] });
    expect(deadRowSelectionOf({ all: true }, 'purge')).toBe('all');
    expect(deadRowSelectionOf({ type: 'orders.x', error: 'TOO_LARGE' }, 'requeue')).toEqual({
      type: 'orders.x',
      key: undefined,
      error: 'TOO_LARGE',
      since: undefined,
      until: undefined,
    });
    const none = () => deadRowSelectionOf({}, 'requeue');
    expect(none).toThrow(/--id 12 \(repeatable\), --all, or a filter/);
    try {
      none();
    } catch (e) {
      expect((e as CliUsageError).usage).toMatch(/^tributary outbox dead requeue --id N/);
    }
    expect(() => deadRowSelectionOf({ all: true, id: ['1'] }, 'purge')).toThrow(/only one of --id, --all or filters/);
    expect(() => deadRowSelectionOf({ id: ['x'] }, 'purge')).toThrow(/positive whole number/);
    expect(() => deadRowSelectionOf({ id: ['-1'] }, 'purge')).toThrow(CliUsageError);
  });

  it('dead letters: ids look like topic/partition/offset', () => {
    expect(deadLetterSelectionOf({ id: ['orders.events.dlq/0/12'] }, 'replay')).toEqual({ ids: ['orders.events.dlq/0/12'] });
    expect(deadLetterSelectionOf({ all: true }, 'archive')).toBe('all');
    expect(deadLetterSelectionOf({ projection: 'orders-view' }, 'replay')).toMatchObject({ projection: 'orders-view' });
    expect(() => deadLetterSelectionOf({ id: ['12'] }, 'replay')).toThrow(/<topic>\/<partition>\/<offset>/);
    expect(() => deadLetterSelectionOf({}, 'archive')).toThrow(/say which dead letters to archive/);
    expect(() => deadLetterSelectionOf({ all: true, topic: 't.dlq' }, 'replay')).toThrow(/only one of/);
  });
});
