import { addToForRootArray } from './for-root-options';

describe('addToForRootArray', () => {
  const add = (content: string) => addToForRootArray(content, { call: 'OutboxModule.forRoot', property: 'events', element: 'PaymentCaptured' });

  it('appends to the array, creates the option, and leaves a listed element alone', () => {
    expect(add('OutboxModule.forRoot({ events: [RecordCreated], ensureSchema: true })')).toBe(
      'OutboxModule.forRoot({ events: [RecordCreated, PaymentCaptured], ensureSchema: true })',
    );
    expect(add('OutboxModule.forRoot({ events: [] })')).toBe('OutboxModule.forRoot({ events: [PaymentCaptured] })');
    expect(add('OutboxModule.forRoot({ events: [\n  A,\n] })')).toBe('OutboxModule.forRoot({ events: [\n  A, PaymentCaptured,\n] })');
    expect(add('OutboxModule.forRoot({ tableName: "x" })')).toBe('OutboxModule.forRoot({ events: [PaymentCaptured], tableName: "x" })');
    expect(add('OutboxModule.forRoot({})')).toBe('OutboxModule.forRoot({ events: [PaymentCaptured] })');
    expect(add('OutboxModule.forRoot({ events: [PaymentCaptured] })')).toBe('OutboxModule.forRoot({ events: [PaymentCaptured] })');
  });

  it('gives up (undefined) when the options are not literal', () => {
    expect(add('OutboxModule.forRoot(options)')).toBeUndefined();
    expect(add('OutboxModule.forRoot({ events: allEvents })')).toBeUndefined();
    expect(add('OutboxModule.forRootAsync({ useFactory })')).toBeUndefined();
  });
});
